/**
 * How an operator signs in to the console: what a password must be, when failures lock the
 * login, and how long a session lasts. One place, so the console, its tests and the docs agree.
 */
export const SIGN_IN_POLICY = {
  /** Failed sign-ins in a row that lock a login. */
  maxFailures: 5,
  /** How long a locked login stays locked. */
  lockMinutes: 15,
  /** A session unused this long ends. */
  idleMinutes: 15,
  /** A session ends this long after sign-in, however busy. */
  absoluteHours: 8,
  /** An enrolment link works this long. */
  enrolmentHours: 72,
  passwordMinLength: 12,
  passwordMaxLength: 200,
} as const;

/** What is wrong with a new password, in words for the person choosing it; undefined when nothing. */
export function passwordProblem(password: string, login: string): string | undefined {
  const length = [...password].length;
  if (length < SIGN_IN_POLICY.passwordMinLength) {
    return `must be at least ${SIGN_IN_POLICY.passwordMinLength} characters`;
  }
  if (length > SIGN_IN_POLICY.passwordMaxLength) {
    return `must be at most ${SIGN_IN_POLICY.passwordMaxLength} characters`;
  }
  if (password.trim() !== password) return 'must not begin or end with a space';
  const folded = password.toLowerCase();
  if (folded.includes(login.toLowerCase())) return 'must not contain the login';
  if (new Set(folded).size < 5) return 'must use at least 5 different characters';
  return undefined;
}

/** The state of a login after one more failed sign-in: locked once the failures reach the limit. */
export function afterFailedSignIn(
  failuresBefore: number,
  nowMs: number,
): { failures: number; lockedUntilMs: number | undefined } {
  const failures = failuresBefore + 1;
  if (failures < SIGN_IN_POLICY.maxFailures) return { failures, lockedUntilMs: undefined };
  return { failures: 0, lockedUntilMs: nowMs + SIGN_IN_POLICY.lockMinutes * 60_000 };
}

/** Why a session no longer holds at `nowMs`, or undefined while it does. */
export function sessionEnded(
  session: { signedInAtMs: number; lastSeenAtMs: number },
  nowMs: number,
): 'idle' | 'absolute' | undefined {
  if (nowMs - session.signedInAtMs >= SIGN_IN_POLICY.absoluteHours * 3_600_000) return 'absolute';
  if (nowMs - session.lastSeenAtMs >= SIGN_IN_POLICY.idleMinutes * 60_000) return 'idle';
  return undefined;
}
