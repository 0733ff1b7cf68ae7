/**
 * HI object groups (mã đối tượng): the two letters that open the number printed on a health
 * insurance card and decide the benefit level, the share of covered costs the fund pays.
 * Codes and levels follow the Law on Health Insurance (Art. 22, as amended 2014) and the card
 * code list of Decision 1351/QĐ-BHXH. Only the groups this gateway meets are listed; the real
 * list has about fifty.
 */
export type ObjectGroupCode =
  'TE' | 'HT' | 'DN' | 'HC' | 'CC' | 'XB' | 'HN' | 'CN' | 'BT' | 'GD' | 'HS' | 'SV' | 'NO';

export type ObjectGroup = {
  code: ObjectGroupCode;
  /** Percentage of covered costs paid by the HI fund. */
  benefitLevelPercent: number;
  description: string;
  /** The Vietnamese name of the group, as on VSS forms. */
  descriptionVi: string;
};

const OBJECT_GROUP_ROWS: ObjectGroup[] = [
  { code: 'TE', benefitLevelPercent: 100, description: 'child under 6', descriptionVi: 'trẻ em dưới 6 tuổi' },
  {
    code: 'CC',
    benefitLevelPercent: 100,
    description: 'person with meritorious service to the revolution',
    descriptionVi: 'người có công với cách mạng',
  },
  {
    code: 'HN',
    benefitLevelPercent: 100,
    description: 'member of a poor household',
    descriptionVi: 'người thuộc hộ gia đình nghèo',
  },
  {
    code: 'BT',
    benefitLevelPercent: 100,
    description: 'monthly social assistance beneficiary',
    descriptionVi: 'người hưởng trợ cấp bảo trợ xã hội hằng tháng',
  },
  { code: 'HT', benefitLevelPercent: 95, description: 'pensioner', descriptionVi: 'người hưởng lương hưu' },
  {
    code: 'CN',
    benefitLevelPercent: 95,
    description: 'member of a near-poor household',
    descriptionVi: 'người thuộc hộ gia đình cận nghèo',
  },
  {
    code: 'DN',
    benefitLevelPercent: 80,
    description: 'enterprise employee',
    descriptionVi: 'người lao động trong doanh nghiệp',
  },
  {
    code: 'HC',
    benefitLevelPercent: 80,
    description: 'civil servant or public employee',
    descriptionVi: 'cán bộ, công chức, viên chức',
  },
  {
    code: 'XB',
    benefitLevelPercent: 80,
    description: 'retired commune official on a monthly social insurance allowance',
    descriptionVi: 'cán bộ xã đã nghỉ việc hưởng trợ cấp BHXH hằng tháng',
  },
  {
    code: 'NO',
    benefitLevelPercent: 80,
    description: 'worker on long-term sickness benefit',
    descriptionVi: 'người lao động nghỉ việc hưởng chế độ ốm đau dài ngày',
  },
  {
    code: 'GD',
    benefitLevelPercent: 80,
    description: 'household member',
    descriptionVi: 'người tham gia theo hộ gia đình',
  },
  { code: 'HS', benefitLevelPercent: 80, description: 'pupil', descriptionVi: 'học sinh' },
  {
    code: 'SV',
    benefitLevelPercent: 80,
    description: 'university or college student',
    descriptionVi: 'sinh viên',
  },
];

/** The object-group table, frozen. */
export const OBJECT_GROUPS: readonly ObjectGroup[] = Object.freeze(
  OBJECT_GROUP_ROWS.map((g) => Object.freeze({ ...g })),
);

const BY_CODE: ReadonlyMap<string, ObjectGroup> = new Map(OBJECT_GROUPS.map((g) => [g.code, g]));

/** True when the code is a known object group. */
export function isObjectGroupCode(code: string): code is ObjectGroupCode {
  return BY_CODE.has(code);
}

/** The object group with this code, or undefined. */
export function objectGroupByCode(code: string): ObjectGroup | undefined {
  return BY_CODE.get(code);
}

/** The benefit level, in percent of covered costs, of an object group. */
export function benefitLevelOf(group: ObjectGroupCode): number {
  const row = BY_CODE.get(group);
  // The union type and the table are kept in step by the spec; reaching this is a bug.
  if (!row) throw new RangeError(`object group ${JSON.stringify(group)} is missing from OBJECT_GROUPS`);
  return row.benefitLevelPercent;
}
