import fc from 'fast-check';
import { anyText, isoDateArb } from '../test/arbitraries';
import {
  addDays,
  addMonths,
  ageInMonths,
  compareDates,
  daysBetween,
  firstDayOfNextMonth,
  inForce,
  formatDdMmYyyy,
  formatPartialDate,
  isoDateFromParts,
  lastDayOfMonth,
  monthOf,
  parseDdMmYyyy,
  parseIsoDate,
  parsePartialDate,
  partialDateMatches,
  precisionOf,
  vietnamDate,
} from './dates';

describe('parseIsoDate', () => {
  it('accepts a real date and trims surrounding whitespace', () => {
    expect(parseIsoDate(' 2024-02-29 ')).toEqual({ ok: true, value: '2024-02-29' });
  });

  it.each([
    ['2023-02-29', 'no 29 February in a common year'],
    ['1900-02-29', '1900 is not a leap year (divisible by 100)'],
    ['2024-04-31', 'April has 30 days'],
    ['2024-13-01', 'there is no 13th month'],
    ['2024-00-10', 'there is no month 0'],
    ['0000-01-01', 'there is no year 0'],
  ])('refuses %s as INVALID_DATE: %s', (input) => {
    const result = parseIsoDate(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('INVALID_DATE');
  });

  it('accepts 29 February 2000 (divisible by 400)', () => {
    expect(parseIsoDate('2000-02-29').ok).toBe(true);
  });

  it.each(['2024-2-1', '24-02-01', '2024/02/01', '01-02-2024', '2024-02-01T00:00:00Z', '２０２４-02-01'])(
    'refuses %s as BAD_FORMAT',
    (input) => {
      const result = parseIsoDate(input);
      expect(result.ok ? 'ok' : result.error.code).toBe('BAD_FORMAT');
    },
  );

  it('reports an empty date as EMPTY', () => {
    expect(parseIsoDate('   ')).toMatchObject({ ok: false, error: { code: 'EMPTY' } });
  });

  it('turns any string into a result without throwing', () => {
    fc.assert(fc.property(anyText, (s) => typeof parseIsoDate(s).ok === 'boolean'));
  });

  it('gives back every real date it is handed', () => {
    fc.assert(
      fc.property(isoDateArb(1, 9999), (d) => {
        const result = parseIsoDate(d);
        return result.ok && result.value === d;
      }),
    );
  });
});

describe('parseDdMmYyyy', () => {
  it('reads the QR date format day-month-year', () => {
    expect(parseDdMmYyyy('05091987')).toEqual({ ok: true, value: '1987-09-05' });
  });

  it('refuses 30 February', () => {
    expect(parseDdMmYyyy('30022000')).toMatchObject({ ok: false, error: { code: 'INVALID_DATE' } });
  });

  it('refuses a date that is not 8 digits', () => {
    expect(parseDdMmYyyy('5091987')).toMatchObject({ ok: false, error: { code: 'BAD_FORMAT' } });
  });

  it('round-trips with formatDdMmYyyy', () => {
    fc.assert(
      fc.property(isoDateArb(1, 9999), (d) => {
        const back = parseDdMmYyyy(formatDdMmYyyy(d));
        return back.ok && back.value === d;
      }),
    );
  });

  it('turns any string into a result without throwing', () => {
    fc.assert(fc.property(anyText, (s) => typeof parseDdMmYyyy(s).ok === 'boolean'));
  });
});

describe('calendar arithmetic', () => {
  it('clamps to the end of the month when adding months', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2020-02-29', 72)).toBe('2026-02-28');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2024-11-15', 2)).toBe('2025-01-15');
  });

  it('crosses years and leap days when adding days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
  });

  it('agrees with the proleptic Gregorian calendar of JavaScript over a wide range', () => {
    fc.assert(
      fc.property(isoDateArb(1600, 2400), fc.integer({ min: -100_000, max: 100_000 }), (d, n) => {
        const [y, m, day] = d.split('-').map(Number);
        const expected = new Date(Date.UTC(y, m - 1, day + n)).toISOString().slice(0, 10);
        return addDays(d, n) === expected;
      }),
    );
  });

  it('makes addDays and daysBetween inverse', () => {
    fc.assert(
      fc.property(
        isoDateArb(),
        fc.integer({ min: -50_000, max: 50_000 }),
        (d, n) => daysBetween(d, addDays(d, n)) === n,
      ),
    );
  });

  it('counts whole months of age so that addMonths(birth, n) is exactly n months old', () => {
    fc.assert(
      fc.property(
        isoDateArb(),
        fc.integer({ min: 0, max: 1200 }),
        (birth, n) => ageInMonths(birth, addMonths(birth, n)) === n,
      ),
    );
  });

  it('does not count a month before its day has come', () => {
    expect(ageInMonths('2020-05-15', '2020-06-14')).toBe(0);
    expect(ageInMonths('2020-05-15', '2020-06-15')).toBe(1);
    expect(ageInMonths('2020-01-31', '2020-02-29')).toBe(1);
    expect(ageInMonths('2018-06-10', '2024-06-09')).toBe(71);
    expect(ageInMonths('2018-06-10', '2024-06-10')).toBe(72);
  });

  it('orders dates as the calendar does', () => {
    fc.assert(
      fc.property(isoDateArb(), isoDateArb(), (a, b) => compareDates(a, b) === Math.sign(daysBetween(b, a))),
    );
  });

  it('finds month boundaries', () => {
    expect(firstDayOfNextMonth('2024-12-15')).toBe('2025-01-01');
    expect(firstDayOfNextMonth('2024-06-30')).toBe('2024-07-01');
    expect(lastDayOfMonth('2024-02-03')).toBe('2024-02-29');
    expect(monthOf('2024-06-30')).toBe('2024-06');
  });

  it('refuses to build or use an impossible date, since that is a programming error', () => {
    expect(() => isoDateFromParts(2023, 2, 29)).toThrow(RangeError);
    expect(() => addDays('2023-02-30', 1)).toThrow(RangeError);
  });
});

describe('partial dates', () => {
  it.each([
    ['1975', { year: 1975 }, 'YEAR'],
    ['1975-04', { year: 1975, month: 4 }, 'MONTH'],
    ['1975-04-30', { year: 1975, month: 4, day: 30 }, 'DAY'],
    // Unknown parts written 00, as old records do, and the day-first forms.
    ['1991-10-00', { year: 1991, month: 10 }, 'MONTH'],
    ['1982-00-00', { year: 1982 }, 'YEAR'],
    ['1982-00', { year: 1982 }, 'YEAR'],
    ['17/10/1991', { year: 1991, month: 10, day: 17 }, 'DAY'],
    ['00/10/1991', { year: 1991, month: 10 }, 'MONTH'],
    ['00/00/1982', { year: 1982 }, 'YEAR'],
    ['10/1991', { year: 1991, month: 10 }, 'MONTH'],
    ['00/1982', { year: 1982 }, 'YEAR'],
  ])('parses %s at its precision', (input, value, precision) => {
    const result = parsePartialDate(input);
    expect(result).toEqual({ ok: true, value });
    if (result.ok) expect(precisionOf(result.value)).toBe(precision);
  });

  it.each([
    '1975-13',
    '1975-02-30',
    '19750',
    '75',
    '1975-4',
    '1975-13-00',
    '1975-00-05',
    '31/02/1975',
    '13/1975',
    '00/00/0000',
    'unknown',
  ])('refuses %s', (input) => {
    expect(parsePartialDate(input).ok).toBe(false);
  });

  it('reads a date with 00 parts as the same date written at its precision', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2099 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const mm = String(month).padStart(2, '0');
        expect(parsePartialDate(`${year}-${mm}-00`)).toEqual(parsePartialDate(`${year}-${mm}`));
        expect(parsePartialDate(`00/${mm}/${year}`)).toEqual(parsePartialDate(`${year}-${mm}`));
        expect(parsePartialDate(`${year}-00-00`)).toEqual(parsePartialDate(`${year}`));
      }),
    );
  });

  it('lets a year-only date match any day of that year, and no other', () => {
    expect(partialDateMatches({ year: 1960 }, '1960-01-01')).toBe(true);
    expect(partialDateMatches({ year: 1960 }, '1960-12-31')).toBe(true);
    expect(partialDateMatches({ year: 1960 }, '1961-01-01')).toBe(false);
  });

  it('lets a month-year date match any day of that month only', () => {
    expect(partialDateMatches({ year: 1960, month: 3 }, '1960-03-31')).toBe(true);
    expect(partialDateMatches({ year: 1960, month: 3 }, '1960-04-01')).toBe(false);
  });

  it('matches a full date with itself and at every coarser precision', () => {
    fc.assert(
      fc.property(isoDateArb(), (d) => {
        const [year, month, day] = d.split('-').map(Number);
        return (
          partialDateMatches({ year, month, day }, d) &&
          partialDateMatches({ year, month }, d) &&
          partialDateMatches({ year }, d)
        );
      }),
    );
  });

  it('round-trips format and parse at every precision', () => {
    const partial = fc.oneof(
      fc.integer({ min: 1, max: 9999 }).map((year) => ({ year })),
      fc
        .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }))
        .map(([year, month]) => ({ year, month })),
      isoDateArb(1, 9999).map((d) => {
        const [year, month, day] = d.split('-').map(Number);
        return { year, month, day };
      }),
    );
    fc.assert(
      fc.property(partial, (p) => {
        const back = parsePartialDate(formatPartialDate(p));
        return back.ok && JSON.stringify(back.value) === JSON.stringify(p);
      }),
    );
  });

  it('turns any string into a result without throwing', () => {
    fc.assert(fc.property(anyText, (s) => typeof parsePartialDate(s).ok === 'boolean'));
  });
});

describe('vietnamDate', () => {
  it('is the date at UTC+7: the evening in UTC is already tomorrow in Vietnam', () => {
    expect(vietnamDate(Date.parse('2025-11-23T18:30:00Z'))).toBe('2025-11-24');
    expect(vietnamDate(Date.parse('2025-11-23T16:59:59.999Z'))).toBe('2025-11-23');
    expect(vietnamDate(Date.parse('2025-11-23T17:00:00Z'))).toBe('2025-11-24');
  });

  it('agrees with the time zone database for any instant (Vietnam has kept UTC+7 since 1975)', () => {
    const zone = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Ho_Chi_Minh',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    const instant = fc.integer({
      min: Date.parse('1976-01-01T00:00:00Z'),
      max: Date.parse('2100-01-01T00:00:00Z'),
    });
    fc.assert(fc.property(instant, (ms) => vietnamDate(ms) === zone.format(new Date(ms))));
  });
});

describe('inForce', () => {
  const row = (effectiveFrom: string, id: number) => ({ effectiveFrom, id });
  const dated = fc.array(fc.tuple(isoDateArb(2000, 2030), fc.nat(3)), { maxLength: 12 });

  it('picks the latest row started by the date, the later of two on the same date', () => {
    const rows = [row('2020-01-01', 1), row('2024-07-01', 2), row('2024-07-01', 3), row('2030-01-01', 4)];
    expect(inForce(rows, '2024-06-30', () => true)?.id).toBe(1);
    expect(inForce(rows, '2024-07-01', () => true)?.id).toBe(3);
    expect(inForce(rows, '2019-12-31', () => true)).toBeUndefined();
  });

  it('returns a selected row started by the date that no later-started selected row beats', () => {
    fc.assert(
      fc.property(dated, isoDateArb(2000, 2030), fc.nat(3), (pairs, on, kind) => {
        const rows = pairs.map(([d, k], i) => ({ effectiveFrom: d, kind: k, i }));
        const best = inForce(rows, on, (r) => r.kind === kind);
        const started = rows.filter((r) => r.kind === kind && r.effectiveFrom <= on);
        if (started.length === 0) return best === undefined;
        const latest = started.reduce((a, b) => (b.effectiveFrom >= a.effectiveFrom ? b : a));
        return best === latest;
      }),
    );
  });
});
