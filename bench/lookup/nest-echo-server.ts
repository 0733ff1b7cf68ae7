import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, type MicroserviceOptions } from '@nestjs/microservices';
import {
  CoverageStatus,
  GATEWAY_PROTO_FILES,
  Gender,
  IdentityResult,
  type LookupCoverageResponse,
  NotCoveredReason,
  VSS_GATEWAY_V1_PACKAGE_NAME,
} from '@vss/contracts';
import { grpcServer, grpcServerCredentials, setServing } from '@vss/platform';

/**
 * The framework floor: the gateway's own gRPC set-up (NestJS microservice, proto-loader with
 * the same options, health and reflection) with a handler that answers a covered lookup at
 * once: no authentication, no database, no audit. Between the bare echo and this is the cost
 * of NestJS and protobuf; between this and the gateway, the cost of our work.
 *
 * Usage: node nest-echo-server.js <port> [<ca> <cert> <key>] (TLS when given); prints "nest echo serving".
 */
const ANSWER: LookupCoverageResponse = {
  citizenId: '079311075098',
  status: CoverageStatus.COVERAGE_STATUS_COVERED,
  reason: NotCoveredReason.NOT_COVERED_REASON_UNSPECIFIED,
  card: {
    socialInsuranceCode: '7931107509',
    validFrom: '2026-03-01',
    validTo: '2027-02-28',
    objectGroup: 'DN',
    benefitLevelPercent: 80,
    primaryCareFacilityCode: '79012',
    primaryCareFacilityName: 'Trạm Y tế phường Bến Nghé',
    visitAtPrimaryCareFacility: false,
    fiveYearsContinuousFrom: '',
  },
  holder: { fullName: 'Nguyễn Thị Hồng Nhung', dateOfBirth: '2011-07-15', gender: Gender.GENDER_FEMALE },
  identity: { result: IdentityResult.IDENTITY_RESULT_NOT_CHECKED, mismatchedFields: [] },
  visitDate: '2026-11-23',
  lookupId: '6c7b1f4e-2a8d-4a51-9a9e-3f1f6f0c9b11',
  reasonMessage: '',
  receipt: { seq: '1234567', hash: '9f2c7d1e5a3b4c6d8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d' },
};

@Controller()
class EchoController {
  @GrpcMethod('CoverageService', 'LookupCoverage')
  lookupCoverage(): Promise<LookupCoverageResponse> {
    return Promise.resolve(ANSWER);
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const [caFile, certFile, keyFile] = process.argv.slice(3);
  const tls = caFile ? { caFile, certFile, keyFile } : undefined;
  const grpc = grpcServer({
    package: VSS_GATEWAY_V1_PACKAGE_NAME,
    protoFiles: GATEWAY_PROTO_FILES,
    host: '127.0.0.1',
    port,
    maxMessageBytes: 4 * 1024 * 1024,
    services: [`${VSS_GATEWAY_V1_PACKAGE_NAME}.CoverageService`],
    credentials: await grpcServerCredentials(tls, { requireClientCertificate: false }),
    reflection: true,
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(EchoModule, {
    ...grpc.options,
    logger: false,
  });
  await app.listen();
  setServing(grpc, [`${VSS_GATEWAY_V1_PACKAGE_NAME}.CoverageService`], true);
  process.stdout.write('nest echo serving\n');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
