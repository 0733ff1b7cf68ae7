import fc from 'fast-check';
import { Pool } from 'pg';
import { makeCitizenId } from '@vss/domain';
import { RecordsScanRepository } from '../src';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';

/**
 * The reconciliation scan's reads of vss.participants: key ranges and pages that together
 * return every record of a scope exactly once, however the key space is cut.
 */
let db: TestDatabase;
let pool: Pool;
let scan: RecordsScanRepository;
const CITIZEN_IDS: string[] = [];
const CODES: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('recordsscan');
  pool = new Pool({ connectionString: db.url, max: 4 });
  scan = new RecordsScanRepository(pool);
  for (let i = 0; i < 120; i += 1) {
    const province = i % 3 === 0 ? '079' : '001';
    const citizenId =
      i % 10 === 9
        ? null
        : makeCitizenId({ provinceCode: province, gender: 'MALE', birthYear: 1960 + (i % 40), serial: i });
    const code = `${province.slice(1)}${String(i).padStart(8, '0')}`;
    await pool.query(
      `INSERT INTO vss.participants (social_insurance_code, citizen_id, legacy_id, full_name, date_of_birth, gender, province_code)
       VALUES ($1, $2, $3, 'Trần Văn Nam', '1970', 'M', $4)`,
      // Every other record without a citizen ID holds a legacy CMND.
      [code, citizenId, citizenId || i % 20 === 19 ? null : String(100000000 + i), province],
    );
    CODES.push(code);
    if (citizenId) CITIZEN_IDS.push(citizenId);
  }
  CITIZEN_IDS.sort();
  CODES.sort();
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('RecordsScanRepository', () => {
  it('cuts the citizen-ID key space into ranges that hold every record once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: CITIZEN_IDS.length - 1 }), { maxLength: 8 }),
        async (cuts) => {
          const bounds = [...new Set(cuts.map((i) => CITIZEN_IDS[i]))].sort();
          const seen: string[] = [];
          let after = '';
          for (const through of bounds) {
            const page = await scan.citizenPage({ after, through }, []);
            expect(page.byLegacyId).toEqual([]);
            seen.push(...page.byCitizenId.map((r) => r.citizenId!));
            after = through;
          }
          const tail = await scan.citizenPage({ after, below: '' }, []);
          seen.push(...tail.byCitizenId.map((r) => r.citizenId!));
          expect(seen.sort()).toEqual(CITIZEN_IDS);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('pages a province scope by social insurance code without skipping or repeating', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), async (size) => {
        const scope = { kind: 'PROVINCE', provinceCode: '079' } as const;
        const seen: string[] = [];
        let after = '';
        for (;;) {
          const page = await scan.page(scope, after, '', size);
          seen.push(...page.map((r) => r.socialInsuranceCode));
          if (page.length < size) break;
          after = page[page.length - 1].socialInsuranceCode;
        }
        const expected = CODES.filter((c) => c.startsWith('79'));
        expect(seen).toEqual(expected);
        expect(await scan.countInScope(scope)).toBe(expected.length);
      }),
      { numRuns: 20 },
    );
  });

  it('finds the records without a citizen ID: by their legacy CMND, or without one for candidate search', async () => {
    const withoutAny = await scan.withoutAnyId({ kind: 'ALL' });
    expect(withoutAny).toHaveLength(6);
    expect(withoutAny.every((r) => r.citizenId === null && r.legacyId === null)).toBe(true);
    expect(await scan.withoutAnyId({ kind: 'PROVINCE', provinceCode: '079' })).toHaveLength(2);
    const code = CODES.find((c) => c.endsWith('00000009'))!;
    const legacy = await scan.legacyOnly(['100000009', '999999999'], { kind: 'ALL' });
    expect(legacy.map((r) => r.socialInsuranceCode)).toEqual([code]);
    // A page of a whole-population run reads both in one statement, each on its side.
    const page = await scan.citizenPage({ after: '', through: CITIZEN_IDS[4] }, ['100000009', '999999999']);
    expect(page.byCitizenId.map((r) => r.citizenId)).toEqual(CITIZEN_IDS.slice(0, 5));
    expect(page.byLegacyId.map((r) => [r.socialInsuranceCode, r.citizenId, r.inScope])).toEqual([
      [code, null, true],
    ]);
    const tail = await scan.citizenPage({ after: CITIZEN_IDS[4], below: CITIZEN_IDS[7] }, []);
    expect(tail.byCitizenId.map((r) => r.citizenId)).toEqual(CITIZEN_IDS.slice(5, 7));
  });
});
