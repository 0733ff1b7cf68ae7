import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Pool } from 'pg';
import { afterFailedSignIn, passwordProblem, SIGN_IN_POLICY } from '@vss/domain';
import { PG_POOL, withTransaction } from '@vss/platform';
import { type Operator, OperatorsRepository } from './operators.repository';
import { hashPassword, UNUSABLE_HASH, verifyPassword } from './passwords';
import { SignInErrorCode, signInError } from './sign-in.errors';

/** RFC 6238 with the parameters every authenticator app reads: SHA-1, 6 digits, 30 s. */
const TOTP_PERIOD_S = 30;
/** One step either side: a phone's clock a little off, or a code typed as it turned. */
const TOTP_WINDOW = 1;

function totpOf(login: string, secret: string): TOTP {
  return new TOTP({
    issuer: 'VSS Gateway',
    label: login,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secret),
  });
}

/** A new second-factor secret (base32), for an enrolment. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// address of `secret` that an authenticator app scans. */
export function totpUri(login: string, secret: string): string {
  return totpOf(login, secret).toString();
}

/** The code an authenticator shows now for `secret` (the CLI's `totp` and the tests use it). */
export function totpCode(secret: string, nowMs = Date.now()): string {
  return totpOf('-', secret).generate({ timestamp: nowMs });
}

/** The time step of `code` for `secret` near `nowMs`, or undefined when it is not a valid code. */
function totpStep(secret: string, code: string, nowMs: number): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const delta = totpOf('-', secret).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  return delta === null ? undefined : Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

interface CredentialRow {
  operator_id: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_last_step: string | null;
  failed_sign_ins: number;
  locked_until: Date | null;
}

/**
 * The one writer of `vss.operator_credentials`: enrolment links (sent by a security
 * administrator through the CLI), the password and second factor an operator sets by a link,
 * and sign-in with both — failures counted per login and locked out by SIGN_IN_POLICY, each TOTP
 * code accepted once. Refusals never tell which of login, password or code was wrong.
 */
@Injectable()
export class OperatorCredentialsRepository {
  private readonly operators: OperatorsRepository;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    this.operators = new OperatorsRepository(pool);
  }

  /**
   * A one-time enrolment link's token for `login`, valid SIGN_IN_POLICY.enrolmentHours. Sending
   * one resets the operator's password and second factor: they sign in again only by the link.
   */
  async sendEnrolment(login: string): Promise<{ operator: Operator; token: string; expiresAt: Date }> {
    const operator = await this.operators.find(login);
    if (!operator || !operator.active) {
      throw signInError(
        SignInErrorCode.EnrolmentInvalid,
        `no active operator has the login ${login}`,
        'login',
      );
    }
    const token = randomBytes(24).toString('base64url');
    const { rows } = await this.pool.query<{ enrolment_expires_at: Date }>(
      `INSERT INTO vss.operator_credentials (operator_id, enrolment_token_hash, enrolment_expires_at)
       VALUES ($1, $2, now() + make_interval(hours => $3))
       ON CONFLICT (operator_id) DO UPDATE SET
         enrolment_token_hash = EXCLUDED.enrolment_token_hash,
         enrolment_expires_at = EXCLUDED.enrolment_expires_at,
         password_hash = NULL, totp_secret = NULL, totp_last_step = NULL, enrolled_at = NULL,
         failed_sign_ins = 0, locked_until = NULL, updated_at = now()
       RETURNING enrolment_expires_at`,
      [operator.operatorId, tokenHash(token), SIGN_IN_POLICY.enrolmentHours],
    );
    return { operator, token, expiresAt: rows[0].enrolment_expires_at };
  }

  /** The active operator an unexpired enrolment token was sent to. */
  async enrolmentOf(token: string): Promise<Operator> {
    const { rows } = await this.pool.query<{ operator_id: string }>(
      `SELECT operator_id FROM vss.operator_credentials
       WHERE enrolment_token_hash = $1 AND enrolment_expires_at > now()`,
      [tokenHash(token)],
    );
    const operator = rows[0] ? await this.operators.findById(rows[0].operator_id) : undefined;
    if (!operator?.active) {
      throw signInError(
        SignInErrorCode.EnrolmentInvalid,
        'this enrolment link is not valid: it was used, it expired, or a newer one was sent; ask a security administrator for a new one',
      );
    }
    return operator;
  }

  /**
   * Sets the password and the second factor of the operator `token` was sent to, once: the code
   * proves the authenticator holds `totpSecret`. The token is spent.
   */
  async enrol(
    token: string,
    input: { password: string; totpSecret: string; code: string },
    nowMs = Date.now(),
  ): Promise<Operator> {
    const operator = await this.enrolmentOf(token);
    const problem = passwordProblem(input.password, operator.login);
    if (problem) throw signInError(SignInErrorCode.WeakPassword, `the password ${problem}`, 'password');
    const step = totpStep(input.totpSecret, input.code.trim(), nowMs);
    if (step === undefined) {
      throw signInError(
        SignInErrorCode.WrongCode,
        'the code is not the one the authenticator shows now: add the key to the app again and type its current 6 digits',
        'code',
      );
    }
    const passwordHash = await hashPassword(input.password);
    const { rowCount } = await this.pool.query(
      `UPDATE vss.operator_credentials SET password_hash = $2, totp_secret = $3, totp_last_step = $4,
         enrolment_token_hash = NULL, enrolment_expires_at = NULL, enrolled_at = now(),
         failed_sign_ins = 0, locked_until = NULL, updated_at = now()
       WHERE enrolment_token_hash = $1 AND enrolment_expires_at > now()`,
      [tokenHash(token), passwordHash, input.totpSecret, step],
    );
    if (rowCount !== 1) return this.enrolmentOf(token); // spent meanwhile: refused as such
    return operator;
  }

  /**
   * The operator who holds `login`, `password` and the current `code`; refused alike when any is
   * wrong, and locked for SIGN_IN_POLICY.lockMinutes after maxFailures in a row.
   */
  async signIn(login: string, password: string, code: string, nowMs = Date.now()): Promise<Operator> {
    const operator = await this.operators.find(login);
    const refused = () =>
      signInError(SignInErrorCode.BadCredentials, 'the login, the password or the code is not right');
    if (!operator || !operator.active) {
      await verifyPassword(password, UNUSABLE_HASH); // the same time as a known login
      throw refused();
    }
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CredentialRow>(
        `SELECT operator_id, password_hash, totp_secret, totp_last_step, failed_sign_ins, locked_until
         FROM vss.operator_credentials WHERE operator_id = $1 FOR UPDATE`,
        [operator.operatorId],
      );
      const row = rows[0];
      if (!row?.password_hash || !row.totp_secret) {
        await verifyPassword(password, UNUSABLE_HASH);
        throw signInError(
          SignInErrorCode.NotEnrolled,
          'this login has no password yet: use the enrolment link a security administrator sent you',
        );
      }
      if (row.locked_until && row.locked_until.getTime() > nowMs) {
        throw signInError(
          SignInErrorCode.Locked,
          `this login is locked after ${SIGN_IN_POLICY.maxFailures} failed sign-ins until ${row.locked_until.toISOString()}; a security administrator can unlock it`,
        );
      }
      const passwordOk = await verifyPassword(password, row.password_hash);
      const step = passwordOk ? totpStep(row.totp_secret, code.trim(), nowMs) : undefined;
      const replayed =
        step !== undefined && row.totp_last_step !== null && step <= Number(row.totp_last_step);
      if (step === undefined || replayed) {
        const next = afterFailedSignIn(row.failed_sign_ins, nowMs);
        await client.query(
          `UPDATE vss.operator_credentials SET failed_sign_ins = $2, locked_until = $3, updated_at = now()
           WHERE operator_id = $1`,
          [operator.operatorId, next.failures, next.lockedUntilMs ? new Date(next.lockedUntilMs) : null],
        );
        // Committed, then refused: the failure counts even though the sign-in fails.
        return { refused: true as const };
      }
      await client.query(
        `UPDATE vss.operator_credentials SET failed_sign_ins = 0, locked_until = NULL, totp_last_step = $2,
           last_sign_in_at = now(), updated_at = now()
         WHERE operator_id = $1`,
        [operator.operatorId, step],
      );
      return { refused: false as const };
    }).then((result) => {
      if (result.refused) throw refused();
      return operator;
    });
  }

  /**
   * Sets an operator's password and second factor without a link: the demo's operators only
   * (`npm start` on a laptop prints both), as the owner.
   */
  async provision(login: string, input: { password: string; totpSecret: string }): Promise<void> {
    const operator = await this.operators.find(login);
    if (!operator)
      throw signInError(SignInErrorCode.EnrolmentInvalid, `no operator has the login ${login}`, 'login');
    const problem = passwordProblem(input.password, login);
    if (problem) throw signInError(SignInErrorCode.WeakPassword, `the password ${problem}`, 'password');
    await this.pool.query(
      `INSERT INTO vss.operator_credentials (operator_id, password_hash, totp_secret, enrolled_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (operator_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
         totp_secret = EXCLUDED.totp_secret, totp_last_step = NULL, enrolment_token_hash = NULL,
         enrolment_expires_at = NULL, enrolled_at = now(), failed_sign_ins = 0, locked_until = NULL,
         updated_at = now()`,
      [operator.operatorId, await hashPassword(input.password), input.totpSecret],
    );
  }

  /** Lifts a lock (a security administrator, through the CLI). */
  async unlock(login: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE vss.operator_credentials c SET failed_sign_ins = 0, locked_until = NULL, updated_at = now()
       FROM vss.operators o WHERE o.operator_id = c.operator_id AND o.login = $1`,
      [login],
    );
    return rowCount === 1;
  }
}
