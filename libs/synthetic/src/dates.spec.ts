import { addMonths } from '@vss/domain';
import fc from 'fast-check';
import { addMonthsToDay, ageOn, dayOf, isoOf, partsOfDay, periodOf, timestampOf } from './dates';

const day = fc.integer({ min: -30_000, max: 60_000 });

describe('day numbers', () => {
  it('agree with the JavaScript calendar both ways', () => {
    fc.assert(
      fc.property(day, (d) => {
        const iso = new Date(d * 86_400_000).toISOString().slice(0, 10);
        expect(isoOf(d)).toBe(iso);
        expect(isoOf(d)).toBe(iso); // second call is served from the cache
        expect(dayOf(iso)).toBe(d);
        const { year, month, day: dom } = partsOfDay(d);
        expect(`${year}-${String(month).padStart(2, '0')}-${String(dom).padStart(2, '0')}`).toBe(iso);
      }),
    );
  });

  it('add months the way the domain does (clamped to the month end)', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: -900, max: 900 }), (d, months) => {
        expect(isoOf(addMonthsToDay(d, months))).toBe(addMonths(isoOf(d), months));
      }),
    );
  });

  it('count whole years of age, the birthday itself included', () => {
    expect(ageOn(dayOf('2000-02-29'), dayOf('2006-02-28'))).toBe(5);
    expect(ageOn(dayOf('2000-02-29'), dayOf('2006-03-01'))).toBe(6);
    expect(ageOn(dayOf('1985-03-12'), dayOf('2025-03-12'))).toBe(40);
  });

  it('format periods and Vietnam timestamps', () => {
    expect(periodOf(2025 * 12 + 0)).toBe('2025-01');
    expect(timestampOf(dayOf('2025-11-23'), 3_661)).toBe('2025-11-23T01:01:01+07:00');
  });
});
