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

/** The gRPC and HTTP status of each error class; `satisfies` makes a class without them fail to compile. */
const STATUS = {
  [ErrorClass.InvalidArgument]: [GrpcStatus.INVALID_ARGUMENT, 400],
  [ErrorClass.NotFound]: [GrpcStatus.NOT_FOUND, 404],
  [ErrorClass.AlreadyExists]: [GrpcStatus.ALREADY_EXISTS, 409],
  [ErrorClass.FailedPrecondition]: [GrpcStatus.FAILED_PRECONDITION, 412],
  [ErrorClass.PermissionDenied]: [GrpcStatus.PERMISSION_DENIED, 403],
  [ErrorClass.Unauthenticated]: [GrpcStatus.UNAUTHENTICATED, 401],
  [ErrorClass.ResourceExhausted]: [GrpcStatus.RESOURCE_EXHAUSTED, 429],
  [ErrorClass.Unavailable]: [GrpcStatus.UNAVAILABLE, 503],
  [ErrorClass.DeadlineExceeded]: [GrpcStatus.DEADLINE_EXCEEDED, 504],
  [ErrorClass.Cancelled]: [GrpcStatus.CANCELLED, 499],
  [ErrorClass.Internal]: [GrpcStatus.INTERNAL, 500],
} as const satisfies Record<ErrorClass, readonly [GrpcStatus, number]>;

/** The gRPC status of each error class. */
export function grpcStatusOf(errorClass: ErrorClass): GrpcStatus {
  return STATUS[errorClass][0];
}

/** The HTTP status of each error class, for the JSON facade. */
export function httpStatusOf(errorClass: ErrorClass): number {
  return STATUS[errorClass][1];
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
