import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Observable, throwError } from 'rxjs';
import { databaseUnavailable, isDatabaseUnavailable } from '../database/unavailable';
import { tallyRefusal } from '../calls/call-tally';
import { AppError, grpcStatusOf, httpStatusOf } from '../errors';

interface GrpcErrorShape {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

/** Converts any thrown error to a gRPC status; without it NestJS answers UNKNOWN. */
export function toGrpcError(exception: unknown, logger?: Logger): GrpcErrorShape {
  const metadata = new Metadata();
  if (!(exception instanceof AppError) && isDatabaseUnavailable(exception)) {
    exception = databaseUnavailable();
  }
  if (exception instanceof AppError) {
    metadata.set('x-error-code', exception.code);
    if (exception.field) metadata.set('x-error-field', exception.field);
    const { retryAfterSeconds, limit } = exception.details;
    if (retryAfterSeconds !== undefined) metadata.set('retry-after', String(retryAfterSeconds));
    if (limit) metadata.set('x-limit', limit);
    return { code: grpcStatusOf(exception.errorClass), details: exception.message, metadata };
  }
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (typeof error === 'object' && error && 'code' in error) {
      return { code: (error as { code: GrpcStatus }).code, details: exception.message, metadata };
    }
  }
  const incident = incidentOf(exception, logger);
  metadata.set('x-incident-id', incident);
  return {
    code: GrpcStatus.INTERNAL,
    details: `internal error; quote incident ${incident} when reporting it`,
    metadata,
  };
}

/** Anything that is not an AppError is our fault, not the caller's: log it with an ID the caller can quote. */
export function incidentOf(exception: unknown, logger?: Logger): string {
  const incident = randomUUID();
  logger?.error({ err: exception, incident }, 'unexpected error while serving a call');
  return incident;
}

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader?(name: string, value: string): void;
  json(body: unknown): void;
}

/**
 * The one place where errors become statuses: gRPC calls get the status of the error's
 * class, HTTP requests the matching HTTP status with the same code and message as JSON.
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  constructor(private readonly logger?: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (exception instanceof AppError) tallyRefusal(exception.errorClass);
    if (host.getType() === 'rpc') {
      const error = toGrpcError(exception, this.logger);
      return throwError(() => error);
    }
    const response = host.switchToHttp().getResponse<HttpResponse>();
    response.setHeader?.('Cache-Control', 'no-store');
    if (!(exception instanceof AppError) && isDatabaseUnavailable(exception))
      exception = databaseUnavailable();
    if (exception instanceof AppError) {
      const { retryAfterSeconds, limit } = exception.details;
      if (retryAfterSeconds !== undefined) response.setHeader?.('Retry-After', String(retryAfterSeconds));
      if (limit) response.setHeader?.('X-Limit', limit);
      response.status(httpStatusOf(exception.errorClass)).json({
        error: { code: exception.code, message: exception.message, field: exception.field },
      });
      return;
    }
    if (exception instanceof HttpException) {
      response.status(exception.getStatus()).json({ error: { code: 'HTTP', message: exception.message } });
      return;
    }
    const incident = incidentOf(exception, this.logger);
    response.status(500).json({
      error: { code: 'INTERNAL', message: `internal error; quote incident ${incident} when reporting it` },
    });
  }
}
