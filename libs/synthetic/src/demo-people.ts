import { type Day, dayOf, firstDayOfMonthIndex, monthIndexOf } from './dates';
import type { PersonDraft } from './person';
import type { Gender } from './rows';

/**
 * Fixed people at the start of every generated population, so that docs, demos and tests can
 * name them. Their facts and numbers are the same whatever the seed (they are generated first,
 * from a fixed seed of their own); dates of death and card windows are relative to the
 * population's reference date (asOf), so that "expired" and "died last month" stay true.
 */

export type DemoKey =
  | 'COVERED_ADULT'
  | 'CHILD_UNDER_6'
  | 'EXPIRED_CARD'
  | 'NOT_YET_VALID_CARD'
  | 'SUSPENDED_CARD'
  | 'PENSIONER'
  | 'DECEASED'
  | 'DECEASED_BUT_ACTIVE'
  | 'LEGACY_ID_ONLY'
  | 'NO_INSURANCE'
  | 'UNKNOWN_ID';

export interface DemoPerson {
  key: DemoKey;
  citizenId: string;
  /** Null when the person has no insurance record. */
  socialInsuranceCode: string | null;
  legacyId: string | null;
  fullName: string;
  dateOfBirth: string;
  gender: Gender;
  birthProvinceCode: string;
  /** What a demo shows with this person. */
  shows: string;
}

const DEMO_LIST: DemoPerson[] = [
  {
    key: 'COVERED_ADULT',
    citizenId: '001085167670',
    socialInsuranceCode: '0152431802',
    legacyId: null,
    fullName: 'Nguyễn Văn An',
    dateOfBirth: '1985-03-12',
    gender: 'M',
    birthProvinceCode: '001',
    shows: 'covered today: enterprise employee (DN, 80 %) with a valid card in Hà Nội',
  },
  {
    key: 'CHILD_UNDER_6',
    citizenId: '048323952442',
    socialInsuranceCode: '4847611201',
    legacyId: null,
    fullName: 'Trần Bảo Ngọc',
    dateOfBirth: '2023-05-20',
    gender: 'F',
    birthProvinceCode: '048',
    shows:
      'child card (TE, 100 %) from birth to 30 September 2029: the 72-month rule extended to the school year',
  },
  {
    key: 'EXPIRED_CARD',
    citizenId: '079179185113',
    socialInsuranceCode: '7965201629',
    legacyId: '210437561',
    fullName: 'Lê Thị Hoa',
    dateOfBirth: '1979-11-05',
    gender: 'F',
    birthProvinceCode: '079',
    shows: 'not covered: household card (GD) expired before the reference date',
  },
  {
    key: 'NOT_YET_VALID_CARD',
    citizenId: '031098176989',
    socialInsuranceCode: '3197451273',
    legacyId: null,
    fullName: 'Phạm Minh Tuấn',
    dateOfBirth: '1998-07-22',
    gender: 'M',
    birthProvinceCode: '031',
    shows: 'not covered yet: employee card (DN) valid from a few weeks after the reference date',
  },
  {
    key: 'SUSPENDED_CARD',
    citizenId: '036190496095',
    socialInsuranceCode: '3614228892',
    legacyId: null,
    fullName: 'Vũ Thị Lan',
    dateOfBirth: '1990-01-15',
    gender: 'F',
    birthProvinceCode: '036',
    shows: 'not covered: household card (GD) in its validity window but suspended',
  },
  {
    key: 'PENSIONER',
    citizenId: '036058427030',
    socialInsuranceCode: '3614277163',
    legacyId: null,
    fullName: 'Đỗ Văn Hùng',
    dateOfBirth: '1958-02-14',
    gender: 'M',
    birthProvinceCode: '036',
    shows: 'living pensioner (HT, 95 %) paid monthly: register his death to see the funeral allowance',
  },
  {
    key: 'DECEASED',
    citizenId: '038041110086',
    socialInsuranceCode: '3814894606',
    legacyId: null,
    fullName: 'Bùi Văn Cường',
    dateOfBirth: '1941-08-30',
    gender: 'M',
    birthProvinceCode: '038',
    shows: 'died 40 days before the reference date, known to VSS: card ended, pension stopped',
  },
  {
    key: 'DECEASED_BUT_ACTIVE',
    citizenId: '040150421644',
    socialInsuranceCode: '4013390249',
    legacyId: null,
    fullName: 'Ngô Thị Mai',
    dateOfBirth: '1950-04-03',
    gender: 'F',
    birthProvinceCode: '040',
    shows:
      'died three months before the reference date, unknown to VSS: pension still paid (DECEASED_BUT_ACTIVE)',
  },
  {
    key: 'LEGACY_ID_ONLY',
    citizenId: '035068485078',
    socialInsuranceCode: '3564561749',
    legacyId: '218091882',
    fullName: 'Đặng Văn Bình',
    dateOfBirth: '1968-12-01',
    gender: 'M',
    birthProvinceCode: '035',
    shows: 'insurance record holds only the old 9-digit CMND (LEGACY_ID_RESOLVED)',
  },
  {
    key: 'NO_INSURANCE',
    citizenId: '092301430419',
    socialInsuranceCode: null,
    legacyId: null,
    fullName: 'Dương Thị Thu',
    dateOfBirth: '2001-10-10',
    gender: 'F',
    birthProvinceCode: '092',
    shows: 'in the registry, no insurance record: not covered, no card',
  },
  {
    key: 'UNKNOWN_ID',
    citizenId: '001090965931',
    socialInsuranceCode: null,
    legacyId: null,
    fullName: '',
    dateOfBirth: '1990-06-01',
    gender: 'M',
    birthProvinceCode: '001',
    shows: 'a well-formed citizen ID that nobody holds: unknown to the registry and to VSS',
  },
];

/** The documented demo people, frozen: docs and tests quote these numbers. */
export const DEMO_PEOPLE: readonly Readonly<DemoPerson>[] = Object.freeze(
  DEMO_LIST.map((p) => Object.freeze(p)),
);

/** The demo people who are registry citizens, in the order they open every population. */
export const DEMO_CITIZENS: readonly DemoPerson[] = DEMO_PEOPLE.filter((p) => p.key !== 'UNKNOWN_ID');

export const UNKNOWN_DEMO_ID: DemoPerson = DEMO_PEOPLE.find((p) => p.key === 'UNKNOWN_ID')!;

/** The facts and overrides that make each demo person show what it shows. */
export function demoDraft(person: DemoPerson, asOf: Day): PersonDraft {
  const base: PersonDraft = {
    birth: dayOf(person.dateOfBirth),
    gender: person.gender,
    birthProvinceCode: person.birthProvinceCode,
    fullName: person.fullName,
    residenceProvinceCode: person.birthProvinceCode,
    death: null,
    insured: true,
    discrepancy: null,
  };
  switch (person.key) {
    case 'COVERED_ADULT':
      return { ...base, insurance: { group: 'DN', cardStatus: 'VALID', pension: false } };
    case 'CHILD_UNDER_6':
      return { ...base, insurance: { cardStatus: 'VALID' } };
    case 'EXPIRED_CARD':
      return { ...base, insurance: { group: 'GD', cardStatus: 'EXPIRED', pension: false } };
    case 'NOT_YET_VALID_CARD':
      return { ...base, insurance: { group: 'DN', cardStatus: 'NOT_YET_VALID', pension: false } };
    case 'SUSPENDED_CARD':
      return { ...base, insurance: { group: 'GD', cardStatus: 'SUSPENDED', pension: false } };
    case 'PENSIONER':
      return { ...base, insurance: { pension: true, cardStatus: 'VALID' } };
    case 'DECEASED':
      return { ...base, death: asOf - 40, insurance: { pension: true } };
    case 'DECEASED_BUT_ACTIVE': {
      const deathMonth = monthIndexOf(asOf) - 3;
      return { ...base, death: firstDayOfMonthIndex(deathMonth) + 9, discrepancy: 'DEATH_NOT_RECORDED' };
    }
    case 'LEGACY_ID_ONLY':
      return {
        ...base,
        legacyId: true,
        discrepancy: 'LEGACY_ID_ONLY',
        insurance: { group: 'DN', cardStatus: 'VALID' },
      };
    case 'NO_INSURANCE':
      return { ...base, insured: false };
    case 'UNKNOWN_ID':
      throw new RangeError('UNKNOWN_ID is not a registry citizen');
  }
}
