import fc from 'fast-check';
import { BIRTH_STEPS, DEATH_STEPS, isSettled, nextStep, retryDelayMs, stepsOf } from './linked-procedures';

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
