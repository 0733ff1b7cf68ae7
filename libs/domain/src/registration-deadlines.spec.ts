import fc from 'fast-check';
import { isoDateArb } from '../test/arbitraries';
import { addDays } from './dates';
import {
  REGISTRATION_DEADLINES,
  registrationDateDrift,
  registrationTimeliness,
} from './registration-deadlines';

describe('registration deadlines (Law on Civil Status, arts. 15 and 33)', () => {
  it('gives a birth 60 days and a death 15, each naming its article', () => {
    const birth = registrationTimeliness('BIRTH', '2025-01-01', '2025-03-02');
    const death = registrationTimeliness('DEATH', '2025-01-01', '2025-01-16');
    expect(birth).toMatchObject({ late: false, days: 60 });
    expect(birth.deadline?.source).toMatch(/art\. 15/);
    expect(death).toMatchObject({ late: false, days: 15 });
    expect(death.deadline?.source).toMatch(/art\. 33/);
    expect(registrationTimeliness('BIRTH', '2025-01-01', '2025-03-03').late).toBe(true);
    expect(registrationTimeliness('DEATH', '2025-01-01', '2025-01-17').late).toBe(true);
  });

  it('is late exactly when more days than the period in force passed between the event and receipt', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BIRTH' as const, 'DEATH' as const),
        isoDateArb(2016, 2040),
        fc.integer({ min: 0, max: 400 }),
        (event, date, days) => {
          const decided = registrationTimeliness(event, date, addDays(date, days));
          const period = REGISTRATION_DEADLINES.find((d) => d.event === event)!.days;
          expect(decided.days).toBe(days);
          expect(decided.late).toBe(days > period);
        },
      ),
    );
  });

  it('counts an event before the table as late however soon it is received', () => {
    fc.assert(
      fc.property(isoDateArb(1900, 2015), (date) => {
        expect(registrationTimeliness('BIRTH', date, addDays(date, 1)).late).toBe(true);
      }),
    );
  });

  it("measures how far the office's registration date stands from receipt, either way", () => {
    fc.assert(
      fc.property(isoDateArb(2016, 2040), fc.integer({ min: 0, max: 400 }), (date, days) => {
        expect(registrationDateDrift(date, addDays(date, days))).toBe(days);
        expect(registrationDateDrift(addDays(date, days), date)).toBe(days);
      }),
    );
  });
});
