import fc from 'fast-check';
import { afterFailedSignIn, passwordProblem, SIGN_IN_POLICY, sessionEnded } from './sign-in';

describe('passwordProblem', () => {
  it('accepts a long passphrase and names what is wrong with others', () => {
    expect(passwordProblem('ngựa vằn ăn cỏ non', 'nguyen.thi.ha')).toBeUndefined();
    expect(passwordProblem('short', 'ha')).toMatch(/at least 12/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa', 'ha')).toMatch(/5 different/);
    expect(passwordProblem('my nguyen.thi.ha pass', 'nguyen.thi.ha')).toMatch(/login/);
    expect(passwordProblem(' leading space pass', 'ha')).toMatch(/space/);
    expect(passwordProblem('x'.repeat(150) + 'abcdefghijklmnopqrstuvwxyz'.repeat(3), 'ha')).toMatch(
      /at most/,
    );
  });

  it('counts characters, not UTF-16 units: twelve Vietnamese letters are twelve', () => {
    expect(passwordProblem('ắằẳẵặâấầẩẫậđ', 'ha')).toBeUndefined();
  });

  it('never accepts a password that contains the login, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        expect(passwordProblem(`${before}Nguyen.Van.An${after}`, 'nguyen.van.an')).toBeDefined();
      }),
    );
  });
});

describe('afterFailedSignIn', () => {
  it('locks the login at the limit of failures in a row, for the lock time, and starts counting again', () => {
    let failures = 0;
    for (let i = 1; i < SIGN_IN_POLICY.maxFailures; i++) {
      const next = afterFailedSignIn(failures, 1_000);
      expect(next.lockedUntilMs).toBeUndefined();
      failures = next.failures;
    }
    expect(afterFailedSignIn(failures, 1_000)).toEqual({
      failures: 0,
      lockedUntilMs: 1_000 + SIGN_IN_POLICY.lockMinutes * 60_000,
    });
  });

  it('never locks before the limit and always locks at it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 2 ** 40 }), (before, now) => {
        const next = afterFailedSignIn(before, now);
        expect(next.lockedUntilMs !== undefined).toBe(before + 1 >= SIGN_IN_POLICY.maxFailures);
      }),
    );
  });
});

describe('sessionEnded', () => {
  const minute = 60_000;
  it('ends a session idle for the idle time, and any session at the absolute time', () => {
    expect(sessionEnded({ signedInAtMs: 0, lastSeenAtMs: 0 }, 14 * minute)).toBeUndefined();
    expect(sessionEnded({ signedInAtMs: 0, lastSeenAtMs: 0 }, 15 * minute)).toBe('idle');
    expect(sessionEnded({ signedInAtMs: 0, lastSeenAtMs: 480 * minute - 1 }, 480 * minute)).toBe('absolute');
  });

  it('a session used within the idle time lasts until the absolute time and no longer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 480 * minute * 2 }),
        fc.integer({ min: 0, max: 14 * minute }),
        (now, idle) => {
          const ended = sessionEnded({ signedInAtMs: 0, lastSeenAtMs: Math.max(0, now - idle) }, now);
          expect(ended === 'absolute').toBe(now >= 480 * minute);
          expect(ended).not.toBe('idle');
        },
      ),
    );
  });
});
