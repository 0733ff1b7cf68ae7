import fc from 'fast-check';
import { Pool } from 'pg';
import { parsePartialDate } from '@vss/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The participants' birth-date column takes every form old records use — YYYY, YYYY-MM,
 * YYYY-MM-DD, unknown parts written 00 — and refuses at load anything that is not a date, so
 * that reconciliation never compares one; the database and the domain parser agree on which
 * stored texts are dates.
 */
let db: TestDatabase;
let pool: Pool;
let serial = 0;

beforeAll(async () => {
  db = await createTestDatabase('dates');
  pool = new Pool({ connectionString: db.urlFor('worker'), max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const insert = (dateOfBirth: string) => {
  serial += 1;
  return pool.query(
    `INSERT INTO vss.participants (social_insurance_code, full_name, date_of_birth, gender, province_code)
     VALUES ($1, 'Nguyễn Văn An', $2, 'M', '001')`,
    [String(7_000_000_000 + serial), dateOfBirth],
  );
};
const refusal = (dateOfBirth: string) =>
  insert(dateOfBirth).then(
    () => 'accepted',
    (e: { code?: string; constraint?: string }) => `${e.code}:${e.constraint}`,
  );

it.each(['1991', '1991-10', '1991-10-17', '1991-10-00', '1982-00-00', '1982-00', '2024-02-29'])(
  'accepts %s',
  async (value) => {
    expect(await refusal(value)).toBe('accepted');
  },
);

it.each([
  '1991-13-45',
  '1991-13',
  '2023-02-29',
  '1991-04-31',
  '0000',
  '1991-00-05',
  '17/10/1991',
  'unknown',
  '',
])('refuses %s at load, naming the check', async (value) => {
  expect(await refusal(value)).toBe('23514:participants_date_of_birth_check');
});

it('agrees with the domain parser on every stored form it is given', async () => {
  const stored = fc.oneof(
    fc
      .tuple(
        fc.integer({ min: 0, max: 2100 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
      )
      .map(
        ([y, m, d]) =>
          `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
      ),
    fc
      .tuple(fc.integer({ min: 0, max: 2100 }), fc.integer({ min: 0, max: 13 }))
      .map(([y, m]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`),
  );
  await fc.assert(
    fc.asyncProperty(stored, async (value) => {
      const { rows } = await pool.query<{ ok: boolean }>('SELECT vss.is_recorded_date($1) AS ok', [value]);
      expect({ value, ok: rows[0].ok }).toEqual({ value, ok: parsePartialDate(value).ok });
    }),
    { numRuns: 300 },
  );
});
