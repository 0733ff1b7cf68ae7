/**
 * Day numbers (days since 1970-01-01) for the generator's date arithmetic. The domain's
 * IsoDate functions parse and re-validate a string on every call, which is right for input
 * but wasteful for the tens of millions of date steps a large population takes; here dates
 * stay integers until a row is written.
 */

const DAY_MS = 86_400_000;

export type Day = number;

export function dayOf(iso: string): Day {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

// Every date the generator writes falls between 1900 and 2100: cache their strings once, since
// formatting a date is the hottest operation of a large run.
const CACHE_FIRST = -25_567; // 1900-01-01
const CACHE_DAYS = 73_049; // to 2099-12-31
const isoCache: (string | undefined)[] = new Array(CACHE_DAYS);

export function isoOf(day: Day): string {
  const slot = day - CACHE_FIRST;
  if (slot >= 0 && slot < CACHE_DAYS) {
    const cached = isoCache[slot];
    if (cached !== undefined) return cached;
    return (isoCache[slot] = formatIso(day));
  }
  return formatIso(day);
}

function formatIso(day: Day): string {
  const { year, month, day: dom } = partsOfDay(day);
  return `${year}-${two(month)}-${two(dom)}`;
}

/**
 * Year, month (1–12) and day of month, by Howard Hinnant's civil-from-days algorithm: integer
 * arithmetic only, several times faster than going through a Date object.
 */
export function partsOfDay(days: Day): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function dayFromParts(year: number, month: number, dayOfMonth: number): Day {
  return Math.round(Date.UTC(year, month - 1, dayOfMonth) / DAY_MS);
}

/** A month as a single integer (year × 12 + month − 1), so months add and compare like numbers. */
export function monthIndexOf(day: Day): number {
  const { year, month } = partsOfDay(day);
  return year * 12 + month - 1;
}

export function firstDayOfMonthIndex(monthIndex: number): Day {
  return dayFromParts(Math.floor(monthIndex / 12), (monthIndex % 12) + 1, 1);
}

/** 'YYYY-MM' of a month index: the period of a monthly payment. */
export function periodOf(monthIndex: number): string {
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  return `${year}-${month < 10 ? '0' : ''}${month}`;
}

/** Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsToDay(day: Day, months: number): Day {
  const { year, month, day: dom } = partsOfDay(day);
  const target = year * 12 + month - 1 + months;
  const y = Math.floor(target / 12);
  const m = (target % 12) + 1;
  const last = partsOfDay(dayFromParts(y, m + 1, 1) - 1).day;
  return dayFromParts(y, m, Math.min(dom, last));
}

/** Whole years between a birth day and another day. */
export function ageOn(birth: Day, on: Day): number {
  const b = partsOfDay(birth);
  const o = partsOfDay(on);
  const beforeBirthday = o.month < b.month || (o.month === b.month && o.day < b.day);
  return o.year - b.year - (beforeBirthday ? 1 : 0);
}

/** An RFC 3339 timestamp in Vietnam time: `second` counts from that day's midnight. */
export function timestampOf(day: Day, second: number): string {
  const h = Math.floor(second / 3600);
  const m = Math.floor((second % 3600) / 60);
  const s = second % 60;
  return `${isoOf(day)}T${two(h)}:${two(m)}:${two(s)}+07:00`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
