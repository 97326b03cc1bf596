// 居民身份证 numbers (GB 11643-1999): checksum, birth date, sex digit.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export type IdProblem = 'format' | 'checksum' | 'birth' | 'future';

export interface IdInfo {
  birthDate: string;
  gender: '男' | '女';
}

/** Validates an 18-digit ID number; returns its birth date and sex, or the problem. */
export function parseIdNumber(raw: string, now = new Date()): { ok: true; info: IdInfo; normalised: string } | { ok: false; problem: IdProblem } {
  const id = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, problem: 'format' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false, problem: 'birth' };
  if (date.getTime() > now.getTime()) return { ok: false, problem: 'future' };
  if (idCheckChar(id) !== id[17]) return { ok: false, problem: 'checksum' };
  return {
    ok: true,
    normalised: id,
    info: { birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, gender: Number(id[16]) % 2 === 1 ? '男' : '女' },
  };
}

/** Whole years of age on a day (YYYY-MM-DD birth date). */
export function ageOn(birthDate: string, on = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  let age = on.getUTCFullYear() - y;
  const mm = on.getUTCMonth() + 1;
  if (mm < m || (mm === m && on.getUTCDate() < d)) age--;
  return age;
}

/** A valid ID number for tests and demo data (area 511001 = 云溪县). */
export function makeIdNumber(birth: string, serial: number, male = true, area = '511001'): string {
  const seq = String(serial % 100).padStart(2, '0');
  let sexDigit = (serial % 5) * 2;
  if (male) sexDigit += 1;
  const first17 = `${area}${birth.replace(/-/g, '')}${seq}${sexDigit}`;
  return first17 + idCheckChar(first17);
}
