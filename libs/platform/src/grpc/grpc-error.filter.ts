import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Observable, throwError } from 'rxjs';
import { AppError, grpcStatusOf } from '../errors';

interface GrpcErrorShape {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

/** Converts any thrown error to a gRPC status; without it NestJS answers UNKNOWN. */
export function toGrpcError(exception: unknown, logger?: Logger): GrpcErrorShape {
  const metadata = new Metadata();
  if (exception instanceof AppError) {
    metadata.set('x-error-code', exception.code);
    if (exception.field) metadata.set('x-error-field', exception.field);
    return { code: grpcStatusOf(exception.errorClass), details: exception.message, metadata };
  }
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (typeof error === 'object' && error && 'code' in error) {
      return { code: (error as { code: GrpcStatus }).code, details: exception.message, metadata };
    }
  }
  // Anything else is our fault, not the caller's: log it with an ID the caller can quote.
  const incident = randomUUID();
  metadata.set('x-incident-id', incident);
  logger?.error({ err: exception, incident }, 'unexpected error while serving a call');
  return {
    code: GrpcStatus.INTERNAL,
    details: `internal error; quote incident ${incident} when reporting it`,
    metadata,
  };
}

@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger?: Logger) {}
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = toGrpcError(exception, this.logger);
    return throwError(() => error);
  }
}
