import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * What kind of problem an error is, independent of transport. Feature error codes map to
 * one of these in their own `<feature>.errors.ts`; this file maps these to gRPC and HTTP.
 */
export enum ErrorClass {
  InvalidArgument = 'invalid_argument',
  NotFound = 'not_found',
  AlreadyExists = 'already_exists',
  FailedPrecondition = 'failed_precondition',
  PermissionDenied = 'permission_denied',
  Unauthenticated = 'unauthenticated',
  ResourceExhausted = 'resource_exhausted',
  Unavailable = 'unavailable',
  DeadlineExceeded = 'deadline_exceeded',
  Cancelled = 'cancelled',
  Internal = 'internal',
}

/** What a caller is told besides the status, when it applies. */
export interface AppErrorDetails {
  /** When to try again: the `retry-after` trailer (gRPC) or header (HTTP), in seconds. */
  retryAfterSeconds?: number;
  /** The limit that was reached: the `x-limit` trailer or header. */
  limit?: string;
}

/** An error a caller can act on: a stable code, a class, and a sentence for a person. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly errorClass: ErrorClass,
    message: string,
    /** The request field at fault, when there is one (e.g. `citizen_id`). */
    readonly field?: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}

/** The gRPC status of each error class; exhaustive so a new class cannot be forgotten. */
export function grpcStatusOf(errorClass: ErrorClass): GrpcStatus {
  switch (errorClass) {
    case ErrorClass.InvalidArgument:
      return GrpcStatus.INVALID_ARGUMENT;
    case ErrorClass.NotFound:
      return GrpcStatus.NOT_FOUND;
    case ErrorClass.AlreadyExists:
      return GrpcStatus.ALREADY_EXISTS;
    case ErrorClass.FailedPrecondition:
      return GrpcStatus.FAILED_PRECONDITION;
    case ErrorClass.PermissionDenied:
      return GrpcStatus.PERMISSION_DENIED;
    case ErrorClass.Unauthenticated:
      return GrpcStatus.UNAUTHENTICATED;
    case ErrorClass.ResourceExhausted:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case ErrorClass.Unavailable:
      return GrpcStatus.UNAVAILABLE;
    case ErrorClass.DeadlineExceeded:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case ErrorClass.Cancelled:
      return GrpcStatus.CANCELLED;
    case ErrorClass.Internal:
      return GrpcStatus.INTERNAL;
    default:
      return assertUnreachable(errorClass);
  }
}

/** The HTTP status of each error class, for the JSON facade. */
export function httpStatusOf(errorClass: ErrorClass): number {
  switch (errorClass) {
    case ErrorClass.InvalidArgument:
      return 400;
    case ErrorClass.NotFound:
      return 404;
    case ErrorClass.AlreadyExists:
      return 409;
    case ErrorClass.FailedPrecondition:
      return 412;
    case ErrorClass.PermissionDenied:
      return 403;
    case ErrorClass.Unauthenticated:
      return 401;
    case ErrorClass.ResourceExhausted:
      return 429;
    case ErrorClass.Unavailable:
      return 503;
    case ErrorClass.DeadlineExceeded:
      return 504;
    case ErrorClass.Cancelled:
      return 499;
    case ErrorClass.Internal:
      return 500;
    default:
      return assertUnreachable(errorClass);
  }
}

/**
 * The constructor of a feature's errors from its table of codes to classes. The table is
 * written `{ ... } satisfies Record<Code, ErrorClass>`, so a code without a class does not compile.
 */
export function errorsOf<Code extends string>(classes: Record<Code, ErrorClass>) {
  return (code: Code, message: string, field?: string): AppError =>
    new AppError(code, classes[code], message, field);
}

/** Shorthand for the most common input error. */
export function invalidArgument(code: string, field: string, message: string): AppError {
  return new AppError(code, ErrorClass.InvalidArgument, message, field);
}
