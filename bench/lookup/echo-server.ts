import * as grpc from '@grpc/grpc-js';

/**
 * The baseline: a bare grpc-js unary server, nothing between the socket and the answer. It
 * takes any request on the lookup's path and answers with a payload of the size of an average
 * lookup answer, so that both servers move the same bytes for the same client.
 *
 * Usage: node echo-server.js <port> <answer bytes>; prints "echo serving" when ready.
 */
const [port, answerBytes] = process.argv.slice(2).map(Number);
const answer = Buffer.alloc(answerBytes, 0x61);
const identity = (b: Buffer) => b;

const server = new grpc.Server();
server.addService(
  {
    lookupCoverage: {
      path: '/vss.gateway.v1.CoverageService/LookupCoverage',
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  {
    lookupCoverage: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
      callback(null, answer),
  },
);
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    process.stderr.write(`echo server: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write('echo serving\n');
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
