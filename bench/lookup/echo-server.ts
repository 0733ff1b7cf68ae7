import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

/**
 * The baseline: a bare grpc-js unary server, nothing between the socket and the answer. It
 * takes any request on the lookup's path and answers with a payload of the size of an average
 * lookup answer, so that both servers move the same bytes for the same client.
 *
 * With a certificate and key it serves TLS, like the gateway; without, plaintext.
 *
 * Usage: node echo-server.js <port> <answer bytes> [<cert file> <key file>]; prints "echo serving".
 */
const [portText, bytesText, certFile, keyFile] = process.argv.slice(2);
const [port, answerBytes] = [Number(portText), Number(bytesText)];
const credentials =
  certFile && keyFile
    ? grpc.ServerCredentials.createSsl(null, [
        { cert_chain: readFileSync(certFile), private_key: readFileSync(keyFile) },
      ])
    : grpc.ServerCredentials.createInsecure();
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
server.bindAsync(`127.0.0.1:${port}`, credentials, (error) => {
  if (error) {
    process.stderr.write(`echo server: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write('echo serving\n');
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
