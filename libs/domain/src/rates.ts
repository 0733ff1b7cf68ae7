import { inForce, IsoDate, parseIsoDate } from './dates';
import { err, ok, Result } from './result';

/**
 * Statutory reference amounts that benefits are multiples of:
 * - BASE_SALARY: lương cơ sở (the "reference level" of the 2024 Law on Social Insurance);
 * - SOCIAL_ASSISTANCE_STANDARD: mức chuẩn trợ giúp xã hội.
 */
export type RateCode = 'BASE_SALARY' | 'SOCIAL_ASSISTANCE_STANDARD';

export type RateRow = { code: RateCode; effectiveFrom: IsoDate; amountVnd: number; legalBasis: string };

export type RateError = { code: 'NO_RATE'; message: string };

/**
 * The statutory rates, each row naming the decree and article that set it. The database holds
 * the same rows (migrations seed and correct them; a test keeps the two equal) and the services
 * read them from there, so that a new decree is a data change, not a release. Each row is in
 * force from its date until the next row of the same code.
 */
export const STATUTORY_RATES: readonly RateRow[] = Object.freeze(
  (
    [
      {
        code: 'BASE_SALARY',
        effectiveFrom: '2017-07-01',
        amountVnd: 1_300_000,
        legalBasis: 'Decree 47/2017/NĐ-CP, Article 3(2)',
      },
      {
        code: 'BASE_SALARY',
        effectiveFrom: '2018-07-01',
        amountVnd: 1_390_000,
        legalBasis: 'Decree 72/2018/NĐ-CP, Article 3(2)',
      },
      {
        code: 'BASE_SALARY',
        effectiveFrom: '2019-07-01',
        amountVnd: 1_490_000,
        legalBasis: 'Decree 38/2019/NĐ-CP, Article 3(2)',
      },
      {
        code: 'BASE_SALARY',
        effectiveFrom: '2023-07-01',
        amountVnd: 1_800_000,
        legalBasis: 'Decree 24/2023/NĐ-CP, Article 3(2)',
      },
      {
        code: 'BASE_SALARY',
        effectiveFrom: '2024-07-01',
        amountVnd: 2_340_000,
        legalBasis: 'Decree 73/2024/NĐ-CP, Article 3(2)',
      },
      {
        code: 'SOCIAL_ASSISTANCE_STANDARD',
        effectiveFrom: '2014-01-01',
        amountVnd: 270_000,
        legalBasis: 'Decree 136/2013/NĐ-CP, Article 4(1)',
      },
      {
        code: 'SOCIAL_ASSISTANCE_STANDARD',
        effectiveFrom: '2021-07-01',
        amountVnd: 360_000,
        legalBasis: 'Decree 20/2021/NĐ-CP, Article 4(1)',
      },
      {
        code: 'SOCIAL_ASSISTANCE_STANDARD',
        effectiveFrom: '2024-07-01',
        amountVnd: 500_000,
        legalBasis: 'Decree 76/2024/NĐ-CP, Article 1(2), amending Article 4(1) of Decree 20/2021/NĐ-CP',
      },
    ] satisfies RateRow[]
  ).map((row) => Object.freeze(row)),
);

const RATE_NAMES: Record<RateCode, string> = {
  BASE_SALARY: 'base salary (lương cơ sở)',
  SOCIAL_ASSISTANCE_STANDARD: 'standard social assistance level (mức chuẩn trợ giúp xã hội)',
};

/** A readable name of a rate, for messages and benefit explanations. */
export function rateName(code: RateCode): string {
  return RATE_NAMES[code];
}

/** The row of `code` in force on a date (`inForce`), or NO_RATE naming what is missing. */
export function rateInForce(
  table: readonly RateRow[],
  code: RateCode,
  on: IsoDate,
): Result<RateRow, RateError> {
  const best = inForce(table, on, (row) => row.code === code);
  if (!best) {
    const first = table
      .filter((row) => row.code === code)
      .reduce<IsoDate | undefined>(
        (min, row) => (!min || row.effectiveFrom < min ? row.effectiveFrom : min),
        undefined,
      );
    return err({
      code: 'NO_RATE',
      message: first
        ? `no ${rateName(code)} is in force on ${on}; the rate table starts on ${first}`
        : `the rate table has no ${rateName(code)}; load the statutory rates`,
    });
  }
  return ok(best);
}

export type RateTableProblem = { index: number; message: string };

/** Lists what is wrong with a rate table (bad dates, non-positive or fractional amounts); empty when sound. */
export function checkRateTable(table: readonly RateRow[]): RateTableProblem[] {
  const problems: RateTableProblem[] = [];
  const seen = new Set<string>();
  table.forEach((row, index) => {
    if (!(row.code in RATE_NAMES))
      problems.push({ index, message: `unknown rate code ${JSON.stringify(row.code)}` });
    const date = parseIsoDate(row.effectiveFrom);
    if (!date.ok) problems.push({ index, message: `effectiveFrom: ${date.error.message}` });
    // Amounts are whole dong: the law states them so, and fractions would creep into payments.
    if (!Number.isSafeInteger(row.amountVnd) || row.amountVnd <= 0) {
      problems.push({ index, message: `amountVnd ${row.amountVnd} must be a positive whole number of dong` });
    }
    if (row.legalBasis.trim() === '') problems.push({ index, message: 'legalBasis is empty' });
    const key = `${row.code}@${row.effectiveFrom}`;
    if (seen.has(key))
      problems.push({ index, message: `a second ${row.code} row from ${row.effectiveFrom}` });
    seen.add(key);
  });
  return problems;
}

/** Formats a VND amount with thousands separators, e.g. "2,340,000 VND". */
export function formatVnd(amountVnd: number): string {
  return `${amountVnd.toLocaleString('en-US')} VND`;
}
