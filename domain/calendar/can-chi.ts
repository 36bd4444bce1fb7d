/**
 * Can chi (sexagenary) names in Vietnamese: ten heavenly stems (can) × twelve earthly branches (chi).
 *
 * The day cycle runs on without a break across months, leap months and years, so a day's name
 * depends only on its Julian Day Number: stem = (JDN + 9) mod 10, branch = (JDN + 1) mod 12.
 * Month and year names follow the lunar calendar (see {@link monthCanChi}, {@link yearCanChi}).
 */
import type { LunarDate } from './lunar.ts';

export const STEMS = ['Giáp', 'Ất', 'Bính', 'Đinh', 'Mậu', 'Kỷ', 'Canh', 'Tân', 'Nhâm', 'Quý'] as const;
export const BRANCHES = [
  'Tý',
  'Sửu',
  'Dần',
  'Mão',
  'Thìn',
  'Tỵ',
  'Ngọ',
  'Mùi',
  'Thân',
  'Dậu',
  'Tuất',
  'Hợi',
] as const;

export type Stem = (typeof STEMS)[number];
export type Branch = (typeof BRANCHES)[number];

export interface CanChi {
  readonly stem: Stem;
  readonly branch: Branch;
  /** "Giáp Tý" */
  readonly name: string;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

function canChi(stemIndex: number, branchIndex: number): CanChi {
  const stem = STEMS[mod(stemIndex, 10)] as Stem;
  const branch = BRANCHES[mod(branchIndex, 12)] as Branch;
  return { stem, branch, name: `${stem} ${branch}` };
}

export function branchIndexOfJdn(jdn: number): number {
  return mod(jdn + 1, 12);
}

export function dayCanChi(jdn: number): CanChi {
  return canChi(jdn + 9, jdn + 1);
}

/** Year of the lunar calendar: 1984 was Giáp Tý, so stem = (year + 6) mod 10, branch = (year + 8) mod 12. */
export function yearCanChi(lunarYear: number): CanChi {
  return canChi(lunarYear + 6, lunarYear + 8);
}

/**
 * Month 1 is always a Dần month; its stem follows the year stem (the "Giáp Kỷ chi niên Bính Dần
 * thủ" rule: Giáp/Kỷ years start with Bính Dần, Ất/Canh with Mậu Dần, …), i.e. month-1 stem =
 * 2 × yearStem + 2. A leap month takes the name of the month it repeats.
 */
export function monthCanChi(lunarYear: number, month: number): CanChi {
  const yearStem = mod(lunarYear + 6, 10);
  return canChi(2 * yearStem + 2 + (month - 1), month + 1);
}

/** Traditional names of the lunar months, as used in "14 tháng Giêng". */
export const LUNAR_MONTH_NAMES = [
  'Giêng',
  'Hai',
  'Ba',
  'Tư',
  'Năm',
  'Sáu',
  'Bảy',
  'Tám',
  'Chín',
  'Mười',
  'Mười Một',
  'Chạp',
] as const;

/** "tháng Giêng", "tháng Hai nhuận". */
export function lunarMonthName(month: number, leap: boolean): string {
  const name = LUNAR_MONTH_NAMES[month - 1];
  if (!name) throw new RangeError(`invalid lunar month ${month}`);
  return `tháng ${name}${leap ? ' nhuận' : ''}`;
}

/** "14 tháng Giêng", "3 tháng Sáu nhuận". */
export function lunarDayLabel(date: LunarDate): string {
  return `${date.day} ${lunarMonthName(date.month, date.leap)}`;
}

/** Accepts a branch name in any Unicode normal form (phones often send NFD) and the variant "Mẹo". */
export function parseBranch(text: string): Branch | null {
  const normalised = text.normalize('NFC').trim();
  const candidate = normalised === 'Mẹo' ? 'Mão' : normalised;
  return (BRANCHES as readonly string[]).includes(candidate) ? (candidate as Branch) : null;
}
