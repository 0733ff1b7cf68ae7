import fc from 'fast-check';
import { isoDateArb } from '../test/arbitraries';
import { addDays } from './dates';
import {
  BIRTH_REGISTRATION_PERIOD_DAYS,
  BIRTH_STEPS,
  DEATH_STEPS,
  isSettled,
  lateBirthRegistration,
  nextStep,
  retryDelayMs,
  stepsOf,
} from './linked-procedures';

describe('linked procedure plan', () => {
  it('runs a birth through the registry, residence and the child card, in that order', () => {
    expect(stepsOf('BIRTH')).toEqual(['register_birth', 'verify_child', 'register_residence', 'issue_card']);
    expect(nextStep('BIRTH', 'register_birth')).toBe('verify_child');
    expect(nextStep('BIRTH', 'issue_card')).toBeUndefined();
  });

  it('runs a death through the registry, residence, coverage, benefits and the payout', () => {
    expect(stepsOf('DEATH')[0]).toBe('verify_deceased');
    expect(nextStep('DEATH', 'end_coverage')).toBe('assess_benefits');
    expect(nextStep('DEATH', 'create_payout')).toBeUndefined();
  });

  it('refuses to advance a step of the other kind', () => {
    expect(() => nextStep('BIRTH', 'record_death')).toThrow(RangeError);
  });

  it('names every step once', () => {
    const all = [...BIRTH_STEPS, ...DEATH_STEPS];
    expect(new Set(all).size).toBe(all.length);
  });

  it('treats completed, resolved and review states as settled, running ones as not', () => {
    expect(isSettled('COMPLETED')).toBe(true);
    expect(isSettled('NEEDS_REVIEW')).toBe(true);
    expect(isSettled('RESOLVED')).toBe(true);
    expect(isSettled('WAITING_RETRY')).toBe(false);
    expect(isSettled('ACCEPTED')).toBe(false);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect(retryDelayMs(1, 1000, 60_000, 1)).toBe(1000);
    expect(retryDelayMs(2, 1000, 60_000, 1)).toBe(2000);
    expect(retryDelayMs(4, 1000, 60_000, 1)).toBe(8000);
    expect(retryDelayMs(50, 1000, 60_000, 1)).toBe(60_000);
  });

  it('stays within half and all of the capped exponential delay for any jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, base, max, jitter) => {
          const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
          const delay = retryDelayMs(attempt, base, max, jitter);
          return delay >= Math.floor(ceiling / 2) && delay <= Math.ceil(ceiling);
        },
      ),
    );
  });
});

describe('a birth registration against its window', () => {
  it('is on time up to the last day of the window and late from the day after, by the days it took', () => {
    fc.assert(
      fc.property(
        isoDateArb(),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 365 }),
        (born, days, window) => {
          const registered = addDays(born, days);
          expect(lateBirthRegistration(born, registered, window)).toBe(days > window ? days : undefined);
        },
      ),
    );
  });

  it('has the legal period of the Law on Civil Status, art. 15(1), as its default', () => {
    expect(BIRTH_REGISTRATION_PERIOD_DAYS).toBe(60);
    expect(lateBirthRegistration('2024-01-10', '2024-03-10', BIRTH_REGISTRATION_PERIOD_DAYS)).toBeUndefined();
    expect(lateBirthRegistration('2024-01-10', '2024-03-11', BIRTH_REGISTRATION_PERIOD_DAYS)).toBe(61);
  });
});
