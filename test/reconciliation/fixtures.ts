import type { Pool } from 'pg';
import { makeCitizenId } from '@vss/domain';

/**
 * Hand-made people, one per thing reconciliation must notice, with the outcome each record must
 * reach. Citizens live in npd.citizens (the registry stub's tables), records in vss.participants.
 */

type Sex = 'M' | 'F';

export interface CitizenFixture {
  citizenId: string;
  legacyId?: string;
  fullName: string;
  dateOfBirth: string;
  gender: Sex;
  residenceProvinceCode?: string;
  dateOfDeath?: string;
  updatedAt?: string;
}

export interface RecordFixture {
  sic: string;
  citizenId: string | null;
  legacyId?: string;
  fullName: string;
  dateOfBirth: string;
  gender: Sex;
  provinceCode: string;
  deceasedOn?: string;
  updatedAt?: string;
  card?: { validTo: string | null; endedOn?: string };
  pension?: { stoppedFrom?: string; paidPeriods: string[] };
  /** The outcome this record must reach; MATCHED means no finding. */
  expect: string;
}

const id = (provinceCode: string, gender: Sex, birthYear: number, serial: number) =>
  makeCitizenId({ provinceCode, gender: gender === 'M' ? 'MALE' : 'FEMALE', birthYear, serial });

export const PEOPLE = {
  clean: {
    citizenId: id('001', 'M', 1985, 11),
    fullName: 'Nguyễn Văn An',
    dateOfBirth: '1985-03-12',
    gender: 'M',
  },
  noDiacritics: {
    citizenId: id('001', 'F', 1990, 12),
    fullName: 'Trần Thị Bích Ngọc',
    dateOfBirth: '1990-05-17',
    gender: 'F',
  },
  yearOnly: {
    citizenId: id('079', 'F', 1979, 13),
    fullName: 'Lê Thị Hoa',
    dateOfBirth: '1979-11-05',
    gender: 'F',
  },
  monthOnly: {
    citizenId: id('031', 'M', 1990, 14),
    fullName: 'Vũ Đức Long',
    dateOfBirth: '1990-01-15',
    gender: 'M',
  },
  wrongMonth: {
    citizenId: id('031', 'M', 1991, 15),
    fullName: 'Vũ Đức Thắng',
    dateOfBirth: '1991-01-15',
    gender: 'M',
  },
  typo: {
    citizenId: id('031', 'M', 1998, 16),
    fullName: 'Phạm Minh Tuấn',
    dateOfBirth: '1998-07-22',
    gender: 'M',
  },
  swapped: {
    citizenId: id('036', 'F', 1988, 17),
    fullName: 'Đỗ Thị Lan',
    dateOfBirth: '1988-04-07',
    gender: 'F',
  },
  gender: {
    citizenId: id('036', 'M', 1975, 18),
    fullName: 'Bùi Văn Cường',
    dateOfBirth: '1975-09-30',
    gender: 'M',
  },
  legacy: {
    citizenId: id('035', 'M', 1968, 19),
    legacyId: '218091882',
    fullName: 'Đặng Văn Bình',
    dateOfBirth: '1968-12-01',
    gender: 'M',
  },
  deadActive: {
    citizenId: id('040', 'F', 1950, 20),
    fullName: 'Ngô Thị Mai',
    dateOfBirth: '1950-04-03',
    gender: 'F',
    dateOfDeath: '2025-06-10',
    updatedAt: '2025-06-11T09:00:00+07:00',
  },
  deadRecorded: {
    citizenId: id('038', 'M', 1941, 21),
    fullName: 'Hồ Văn Tư',
    dateOfBirth: '1941-08-30',
    gender: 'M',
    dateOfDeath: '2025-05-02',
  },
  deadIdle: {
    citizenId: id('038', 'F', 1944, 22),
    fullName: 'Hồ Thị Năm',
    dateOfBirth: '1944-02-11',
    gender: 'F',
    dateOfDeath: '2025-06-01',
  },
  duplicated: {
    citizenId: id('048', 'M', 1982, 23),
    fullName: 'Huỳnh Văn Sáu',
    dateOfBirth: '1982-06-06',
    gender: 'M',
  },
  // Registered at birth in Hà Nội, lives (and is insured) in Hồ Chí Minh City.
  moved: {
    citizenId: id('001', 'F', 1993, 24),
    fullName: 'Hoàng Thị Mai',
    dateOfBirth: '1993-08-20',
    gender: 'F',
    residenceProvinceCode: '079',
  },
  namesake: {
    citizenId: id('079', 'F', 1993, 25),
    fullName: 'Hoàng Thị Mai',
    dateOfBirth: '1993-02-14',
    gender: 'F',
  },
  // Held a CMND the registry never took over: only a demographic search can find them.
  oldCmnd: {
    citizenId: id('027', 'M', 1962, 27),
    fullName: 'Trịnh Văn Khoa',
    dateOfBirth: '1962-03-14',
    gender: 'M',
  },
  recentlyChanged: {
    citizenId: id('092', 'M', 2001, 26),
    fullName: 'Dương Văn Thu',
    dateOfBirth: '2001-10-10',
    gender: 'M',
    updatedAt: '2025-09-01T08:00:00+07:00',
  },
} satisfies Record<string, CitizenFixture>;

/** A citizen ID nobody holds, one sorting before every citizen and one after. */
export const UNKNOWN_IDS = {
  first: id('001', 'M', 1900, 1),
  middle: id('048', 'M', 1970, 999_999),
  last: id('096', 'F', 2020, 999_998),
};

const P = PEOPLE;
const as = (c: CitizenFixture) => ({
  citizenId: c.citizenId,
  fullName: c.fullName,
  dateOfBirth: c.dateOfBirth,
  gender: c.gender,
});

export const RECORDS: RecordFixture[] = [
  { sic: '0100000001', ...as(P.clean), provinceCode: '001', expect: 'MATCHED' },
  {
    sic: '0100000002',
    ...as(P.noDiacritics),
    fullName: 'TRAN THI BICH NGOC',
    provinceCode: '001',
    expect: 'MATCHED_AFTER_NORMALIZATION',
  },
  {
    sic: '7900000003',
    ...as(P.yearOnly),
    dateOfBirth: '1979',
    provinceCode: '079',
    expect: 'MATCHED_AFTER_NORMALIZATION',
  },
  {
    sic: '3100000004',
    ...as(P.monthOnly),
    dateOfBirth: '1990-01',
    provinceCode: '031',
    expect: 'MATCHED_AFTER_NORMALIZATION',
  },
  {
    sic: '3100000005',
    ...as(P.wrongMonth),
    dateOfBirth: '1991-02',
    provinceCode: '031',
    expect: 'FIELD_MISMATCH',
  },
  {
    sic: '3100000006',
    ...as(P.typo),
    fullName: 'Phạm Minh Tấn',
    provinceCode: '031',
    updatedAt: '2025-08-01T10:00:00+07:00',
    expect: 'FIELD_MISMATCH',
  },
  {
    sic: '3600000007',
    ...as(P.swapped),
    dateOfBirth: '1988-07-04',
    provinceCode: '036',
    expect: 'FIELD_MISMATCH',
  },
  { sic: '3600000008', ...as(P.gender), gender: 'F', provinceCode: '036', expect: 'FIELD_MISMATCH' },
  {
    sic: '3500000009',
    ...as(P.legacy),
    citizenId: null,
    legacyId: '218091882',
    provinceCode: '035',
    expect: 'LEGACY_ID_RESOLVED',
  },
  {
    sic: '4000000010',
    ...as(P.deadActive),
    provinceCode: '040',
    card: { validTo: '2026-01-31' },
    pension: { paidPeriods: ['2025-05', '2025-06', '2025-07', '2025-08'] },
    expect: 'DECEASED_BUT_ACTIVE',
  },
  {
    sic: '3800000011',
    ...as(P.deadRecorded),
    provinceCode: '038',
    deceasedOn: '2025-05-02',
    card: { validTo: null, endedOn: '2025-05-02' },
    pension: { stoppedFrom: '2025-06-01', paidPeriods: ['2025-04', '2025-05'] },
    expect: 'MATCHED',
  },
  {
    sic: '3800000012',
    ...as(P.deadIdle),
    provinceCode: '038',
    card: { validTo: '2025-03-31' },
    expect: 'MATCHED',
  },
  { sic: '4800000013', ...as(P.duplicated), provinceCode: '048', expect: 'DUPLICATE_PARTICIPANT' },
  { sic: '7900000014', ...as(P.duplicated), provinceCode: '079', expect: 'DUPLICATE_PARTICIPANT' },
  { sic: '7900000015', ...as(P.moved), citizenId: null, provinceCode: '079', expect: 'MISSING_ID_CANDIDATE' },
  {
    sic: '7900000016',
    citizenId: null,
    fullName: 'Kiều Thị Xuyến',
    dateOfBirth: '1960-01-01',
    gender: 'F',
    provinceCode: '079',
    expect: 'MISSING_ID_CANDIDATE',
  },
  {
    sic: '0100000017',
    citizenId: null,
    legacyId: '999999999',
    fullName: 'Lý Văn Tám',
    dateOfBirth: '1958',
    gender: 'M',
    provinceCode: '001',
    expect: 'MISSING_ID_CANDIDATE',
  },
  {
    sic: '2700000022',
    ...as(P.oldCmnd),
    citizenId: null,
    legacyId: '031234567',
    provinceCode: '027',
    expect: 'MISSING_ID_CANDIDATE',
  },
  {
    sic: '0100000018',
    citizenId: UNKNOWN_IDS.first,
    fullName: 'Mai Văn Một',
    dateOfBirth: '1900-01-01',
    gender: 'M',
    provinceCode: '001',
    expect: 'NOT_IN_REGISTRY',
  },
  {
    sic: '4800000019',
    citizenId: UNKNOWN_IDS.middle,
    fullName: 'Mai Văn Hai',
    dateOfBirth: '1970-01-01',
    gender: 'M',
    provinceCode: '048',
    expect: 'NOT_IN_REGISTRY',
  },
  {
    sic: '9600000020',
    citizenId: UNKNOWN_IDS.last,
    fullName: 'Mai Thị Ba',
    dateOfBirth: '2020-01-01',
    gender: 'F',
    provinceCode: '096',
    expect: 'NOT_IN_REGISTRY',
  },
  {
    sic: '9200000021',
    ...as(P.recentlyChanged),
    fullName: 'Duong Van Thu',
    provinceCode: '092',
    expect: 'MATCHED_AFTER_NORMALIZATION',
  },
];

/** Every record's expected outcome, without the clean matches (which write no finding). */
export function expectedFindings(records: RecordFixture[] = RECORDS): Record<string, string> {
  return Object.fromEntries(records.filter((r) => r.expect !== 'MATCHED').map((r) => [r.sic, r.expect]));
}

const OLD = '2020-01-01T00:00:00+07:00';

export async function insertFixtures(pool: Pool): Promise<void> {
  await pool.query(`INSERT INTO vss.facilities (facility_code, name, province_code) VALUES ('01001', 'Trạm y tế', '001')
                    ON CONFLICT DO NOTHING`);
  for (const c of Object.values(PEOPLE) as CitizenFixture[]) {
    const residence = c.residenceProvinceCode ?? c.citizenId.slice(0, 3);
    await pool.query(
      `INSERT INTO npd.citizens (citizen_id, legacy_id, full_name, date_of_birth, gender, birth_province_code,
         residence_address, residence_province_code, residence_status, vital_status, date_of_death, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'Số 1', $7, $8, $9, $10, $11)`,
      [
        c.citizenId,
        c.legacyId ?? null,
        c.fullName,
        c.dateOfBirth,
        c.gender,
        c.citizenId.slice(0, 3),
        residence,
        c.dateOfDeath ? 'CANCELLED' : 'REGISTERED',
        c.dateOfDeath ? 'DECEASED' : 'ALIVE',
        c.dateOfDeath ?? null,
        c.updatedAt ?? OLD,
      ],
    );
  }
  for (const r of RECORDS) await insertRecord(pool, r);
}

export async function insertRecord(pool: Pool, r: RecordFixture): Promise<void> {
  await pool.query(
    `INSERT INTO vss.participants (social_insurance_code, citizen_id, legacy_id, full_name, date_of_birth, gender,
       province_code, deceased_on, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      r.sic,
      r.citizenId,
      r.legacyId ?? null,
      r.fullName,
      r.dateOfBirth,
      r.gender,
      r.provinceCode,
      r.deceasedOn ?? null,
      r.updatedAt ?? OLD,
    ],
  );
  if (r.card) {
    await pool.query(
      `INSERT INTO vss.hi_cards (social_insurance_code, object_group, benefit_level_percent, valid_from, valid_to,
         primary_care_facility_code, ended_on) VALUES ($1, 'HT', 95, '2024-01-01', $2, '01001', $3)`,
      [r.sic, r.card.validTo, r.card.endedOn ?? null],
    );
  }
  if (r.pension) {
    await pool.query(
      `INSERT INTO vss.benefits (social_insurance_code, kind, monthly_amount_vnd, started_on, stopped_from, stop_reason)
       VALUES ($1, 'PENSION', 5000000, '2010-01-01', $2, $3)`,
      [r.sic, r.pension.stoppedFrom ?? null, r.pension.stoppedFrom ? 'DECEASED' : null],
    );
    for (const period of r.pension.paidPeriods) {
      await pool.query(
        `INSERT INTO vss.benefit_payments (social_insurance_code, kind, period, amount_vnd, paid_on)
         VALUES ($1, 'PENSION', $2, 5000000, ($2 || '-05')::date)`,
        [r.sic, period],
      );
    }
  }
}
