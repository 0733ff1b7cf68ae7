/**
 * A value or a typed error. Domain functions return this instead of throwing, so that
 * every bad input reaches the caller as data it can map to a precise status and message.
 * Throwing is reserved for programming errors (a generator asked for an impossible ID).
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Wraps a successful value. */
export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

/** Wraps an error. */
export function err<E>(error: E): Result<never, E> {
  return { ok: false, error };
}

/** True when the result holds a value (narrows the type). */
export function isOk<T, E>(result: Result<T, E>): result is { ok: true; value: T } {
  return result.ok;
}

/** True when the result holds an error (narrows the type). */
export function isErr<T, E>(result: Result<T, E>): result is { ok: false; error: E } {
  return !result.ok;
}

/** Applies `f` to the value of a successful result and passes errors through unchanged. */
export function mapResult<T, U, E>(result: Result<T, E>, f: (value: T) => U): Result<U, E> {
  return result.ok ? ok(f(result.value)) : result;
}

/**
 * Shortens user input for an error message: enough to recognise what was sent, never
 * a megabyte echoed back into logs and gRPC trailers.
 */
export function previewInput(input: string, maxChars = 24): string {
  const chars = Array.from(input);
  const shown = chars.length > maxChars ? `${chars.slice(0, maxChars).join('')}…` : input;
  return JSON.stringify(shown);
}
