import { parseWeightedWords, Random, Weighted, weightedWords } from './random';
import type { Gender } from './rows';

/**
 * Vietnamese names: surname + middle name(s) + given name, drawn from real frequencies.
 * Surname shares follow the commonly cited estimates (Nguyễn ~38 %, Trần 11 %, Lê 9.5 % …),
 * so that name matching is tested against the real skew: a third of the country shares one
 * surname, and "Nguyễn Văn Hùng" is not one person.
 */

/** Target share (%) of each surname; Hoàng/Huỳnh and Vũ/Võ are split by region below. */
export const SURNAME_SHARES: readonly (readonly [string, number])[] = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng|Huỳnh', 5],
  ['Phan', 4.5],
  ['Vũ|Võ', 3.9],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
];

// The remaining ~11.5 %, relative weights among themselves.
const OTHER_SURNAMES = parseWeightedWords(`
  Đinh:7 Trương:7 Đoàn:6 Lâm:5 Mai:5 Trịnh:5 Đào:5 Cao:5 Hà:5 Lưu:4 Lương:4 Tạ:3 Phùng:3 Thái:3
  Tô:3 Vương:3 Châu:3 Triệu:3 Chu:3 Nông:3 Quách:2 Kiều:2 Tăng:2 La:2 Lò:2 Hứa:2 Đàm:2 Giang:2
  Thân:2 Quan:2 Tống:2 Văn:2 Khổng:1 Mạc:1 Diệp:1 Lục:1 Từ:1 Kim:1 Âu:1
`);

const OTHER_SURNAMES_SHARE = 100 - SURNAME_SHARES.reduce((sum, [, share]) => sum + share, 0);
const OTHER_WEIGHT_SUM = OTHER_SURNAMES.reduce((sum, [, w]) => sum + w, 0);

const SURNAMES = new Weighted<string>([
  ...SURNAME_SHARES,
  ...OTHER_SURNAMES.map(([name, w]) => [name, (w / OTHER_WEIGHT_SUM) * OTHER_SURNAMES_SHARE] as const),
]);

// Văn and Thị dominate older generations and fade among the young; others are modern choices.
const TRADITIONAL_MIDDLE: Record<Gender, string> = { M: 'Văn', F: 'Thị' };

const MALE_MIDDLE = weightedWords(`
  Đức:8 Minh:10 Quang:7 Hữu:6 Thanh:6 Hoàng:5 Công:5 Ngọc:4 Xuân:4 Tuấn:3 Quốc:6 Anh:4 Trọng:4
  Duy:4 Gia:5 Bảo:4 Đình:6 Mạnh:3 Tiến:3 Thành:3 Hải:3 Nhật:3 Việt:3 Khắc:2 Hồng:2 Đăng:3 Trung:2
  Phúc:2
`);

const FEMALE_MIDDLE = weightedWords(`
  Ngọc:10 Thu:7 Kim:6 Thanh:7 Minh:6 Hồng:6 Phương:5 Bảo:5 Mai:4 Khánh:4 Thúy:4 Diệu:3 Hoài:3
  Thùy:4 Quỳnh:3 Cẩm:3 Tuyết:2 Bích:3 Hải:2 Như:3 Lan:2 Gia:3 Mỹ:3 Xuân:3 Huyền:2 Ánh:2 Thảo:2
  Tường:1
`);

const MALE_GIVEN = weightedWords(`
  An:5 Anh:9 Bảo:4 Bình:5 Cường:6 Công:3 Chiến:4 Dũng:8 Duy:5 Dương:3 Đạt:6 Đức:6 Định:2 Đông:3
  Giang:2 Hải:7 Hào:2 Hiếu:5 Hiệp:3 Hòa:4 Hoàng:5 Huy:8 Hùng:9 Hưng:6 Khang:3 Khánh:4 Khoa:4 Kiên:3
  Lâm:3 Lộc:4 Long:7 Luân:2 Mạnh:4 Minh:8 Nam:8 Nghĩa:4 Nhân:3 Phát:3 Phong:5 Phúc:5 Phước:3
  Quang:5 Quân:5 Quý:2 Sang:2 Sơn:7 Tài:4 Tâm:4 Tân:3 Thái:3 Thắng:6 Thành:7 Thiện:3 Thịnh:4
  Thông:2 Toàn:4 Trí:3 Trọng:3 Trung:6 Tú:4 Tuấn:9 Tùng:5 Việt:4 Vinh:5 Vũ:3 Khôi:3 Lợi:2 Tiến:4
  Thuận:3 Hậu:2 Hiển:2 Tín:2 Nhật:2 Đăng:2
`);

const FEMALE_GIVEN = weightedWords(`
  An:4 Anh:9 Ánh:4 Bích:3 Châu:3 Chi:5 Cúc:2 Diễm:3 Diệp:2 Dung:5 Duyên:4 Giang:4 Hà:6 Hạnh:5
  Hằng:6 Hiền:6 Hoa:7 Hoài:2 Hồng:5 Huệ:4 Hương:9 Huyền:6 Khánh:3 Lan:7 Liên:4 Linh:9 Loan:4 Ly:4
  Mai:8 My:5 Nga:6 Ngân:5 Ngọc:7 Nguyệt:4 Nhi:6 Nhung:5 Oanh:3 Phương:8 Phượng:3 Quyên:3 Quỳnh:5
  Tâm:4 Thảo:9 Thanh:5 Thắm:2 Thơ:3 Thu:6 Thúy:5 Thủy:6 Thư:5 Tiên:3 Trang:9 Trâm:4 Trinh:3 Tuyết:4
  Uyên:4 Vân:5 Vi:2 Vy:5 Xuân:4 Yến:7 Hậu:2 Lệ:3 Nhàn:3 Hòa:3 Mơ:2 Đào:2 Kiều:2 Hạ:2
`);

/** The share of people carrying the traditional middle name (Văn/Thị), by birth year. */
function traditionalMiddleShare(birthYear: number): number {
  if (birthYear < 1970) return 0.65;
  if (birthYear < 1990) return 0.45;
  if (birthYear < 2005) return 0.25;
  return 0.12;
}

// Huỳnh and Võ are the southern forms of Hoàng and Vũ (a naming taboo of the Nguyễn lords);
// province codes from 046 (Thừa Thiên Huế) southwards count as the south here.
const SOUTHERN_FROM_PROVINCE = '046';

function regionalForm(pair: string, birthProvinceCode: string, rng: Random): string {
  const [northern, southern] = pair.split('|');
  const southernShare = birthProvinceCode >= SOUTHERN_FROM_PROVINCE ? 0.8 : 0.12;
  return rng.chance(southernShare) ? southern : northern;
}

export function sampleSurname(rng: Random, birthProvinceCode: string): string {
  const drawn = SURNAMES.sample(rng);
  return drawn.includes('|') ? regionalForm(drawn, birthProvinceCode, rng) : drawn;
}

/** A full name, written the way the registry holds it: NFC, one space between words. */
export function sampleFullName(
  rng: Random,
  gender: Gender,
  birthYear: number,
  birthProvinceCode: string,
): string {
  const surname = sampleSurname(rng, birthProvinceCode);
  const middleTable = gender === 'M' ? MALE_MIDDLE : FEMALE_MIDDLE;
  const givenTable = gender === 'M' ? MALE_GIVEN : FEMALE_GIVEN;
  const given = givenTable.sample(rng);
  const middle: string[] = [];
  if (rng.chance(traditionalMiddleShare(birthYear))) middle.push(TRADITIONAL_MIDDLE[gender]);
  else middle.push(drawDifferent(middleTable, rng, [given]));
  // Women especially often carry two middle names: "Nguyễn Thị Ngọc Anh", "Trần Bảo Khánh Linh".
  if (rng.chance(gender === 'F' ? 0.12 : 0.04))
    middle.push(drawDifferent(middleTable, rng, [given, ...middle]));
  return [surname, ...middle, given].join(' ');
}

function drawDifferent(table: Weighted<string>, rng: Random, avoid: readonly string[]): string {
  let word = table.sample(rng);
  for (let tries = 0; tries < 8 && avoid.includes(word); tries += 1) word = table.sample(rng);
  return word;
}

/** Counts of distinct given names per gender, exposed for the tests' "at least 60" check. */
export const GIVEN_NAME_TABLES = { M: MALE_GIVEN, F: FEMALE_GIVEN } as const;
