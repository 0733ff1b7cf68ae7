import fc from 'fast-check';
import { addDays } from './dates';
import { BIRTH_REGISTRATION_PERIOD_DAYS, lateBirthRegistration } from './linked-procedures';
import { isoDateArb } from '../test/arbitraries';

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
