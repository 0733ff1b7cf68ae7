import * as grpc from '@grpc/grpc-js';
import { isTransient } from '@vss/registry-client';

/** A refusal by the population registry: its status, its own error code and its sentence. */
export interface RegistryRefusal {
  status: grpc.status;
  /** The registry's error code (x-error-code), e.g. REGISTRY_CITIZEN_EXISTS; '' when absent. */
  code: string;
  message: string;
}

/**
 * The registry's answer to a call that failed for a reason in the request or the data, which a
 * step turns into an outcome or a review. Transient failures (down, slow) and anything that is
 * not a gRPC status are not refusals: they are rethrown for the runner to retry.
 */
export function refusalOf(error: unknown): RegistryRefusal {
  const e = error as grpc.ServiceError;
  if (typeof e?.code !== 'number' || isTransient(error) || !REFUSALS.has(e.code)) throw error;
  const code = e.metadata?.get('x-error-code')[0];
  return { status: e.code, code: typeof code === 'string' ? code : '', message: e.details || e.message };
}

const REFUSALS: ReadonlySet<grpc.status> = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.ALREADY_EXISTS,
  grpc.status.FAILED_PRECONDITION,
]);

/**
 * A refusal in words of our own: the registry's error code (or status), never its message, which
 * may quote a person's data (dates of birth and death) to an office that must not read them.
 */
export function refusalCode(refusal: RegistryRefusal): string {
  return refusal.code || grpc.status[refusal.status];
}

/** Calls the registry and hands a refusal to `onRefusal`; transient failures propagate. */
export async function askRegistry<T, R>(
  call: () => Promise<T>,
  onRefusal: (refusal: RegistryRefusal) => R,
): Promise<{ ok: true; value: T } | { ok: false; verdict: R }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, verdict: onRefusal(refusalOf(error)) };
  }
}

/** A failure the runner retries without limit: the registry is down, slow or overloaded. */
export function isTransientFailure(error: unknown): boolean {
  return isTransient(error);
}

/** One line for a person: the gRPC status name and the details. */
export function describeFailure(error: unknown): string {
  const e = error as grpc.ServiceError;
  if (typeof e?.code === 'number') return `${grpc.status[e.code]}: ${e.details || e.message}`;
  return error instanceof Error ? error.message : String(error);
}
