// The allow-list of phone numbers the county publishes on purpose (issue 17.7): a hotline, the office
// line, a 队长's number on a notice. The personal-data check (src/domain/public-text.ts)
// leaves exactly these alone wherever it runs; every other phone is still refused or masked.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { Refusal } from '../refusal.ts';
import { isPlainLine } from '../../lib/plain-text.ts';
import type { PiiKind } from '../../lib/personal-data.ts';
import { getSettings, type Settings } from './index.ts';

/** At most this many public numbers (a county has a handful of hotlines and offices). */
export const MAX_PUBLIC_PHONES = 50;

/** A refused list, with the message next to the form field. */
export class SettingsError extends Refusal {
  constructor(message: string, field?: string) {
    super('BAD_REQUEST', message, field);
    this.name = 'SettingsError';
  }
}

/** The digits a number is compared by: a mobile's 11 digits, a landline with its area code, a 400/800 line. */
export function phoneDigits(number: string): string | null {
  const d = number.normalize('NFKC').replace(/[\s\-‐‑–—()（）]/g, '');
  if (!/^\+?\d+$/.test(d)) return null;
  const digits = d.replace(/^\+?86(?=1[3-9]\d{9}$)/, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return digits;
  if (/^0(?:10|2\d|[3-9]\d{2})[1-9]\d{6,7}$/.test(digits)) return digits;
  if (/^[48]00\d{7}$/.test(digits)) return digits;
  return null;
}

/**
 * Parses the settings form: one number per line, then its label ("0838-12345678 县政务服务热线").
 * Refuses the whole list, naming the line, when a number is not a phone number or has no label.
 */
export function parsePublicPhones(text: string): { number: string; label: string }[] {
  const out: { number: string; label: string }[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  lines.forEach((line, i) => {
    if (!line) return;
    // The number may contain spaces ("0838 1234 5678"); the label starts at the first word that is not a digit.
    const m = /^(\+?[\d０-９][\d０-９\s\-‐‑–—()（）]*?[\d０-９])\s+([^\d０-９\s].*)$/u.exec(line);
    const n = `第 ${i + 1} 行`;
    if (!m) throw new SettingsError(`${n}“${line.slice(0, 30)}”：请写成“号码 空格 说明”，如“0838-12345678 县政务服务热线”`, 'publicPhones');
    const number = m[1].trim();
    const label = m[2].trim();
    if (!phoneDigits(number)) throw new SettingsError(`${n}：“${number}”不是有效的电话号码（手机号 11 位；固定电话需带区号，如 0838-1234567）`, 'publicPhones');
    if ([...label].length < 2 || [...label].length > 30 || !isPlainLine(label)) throw new SettingsError(`${n}：请写明这个号码是什么（2–30 字，如“县政务服务热线”）`, 'publicPhones');
    if (out.some((p) => phoneDigits(p.number) === phoneDigits(number))) throw new SettingsError(`${n}：号码“${number}”重复`, 'publicPhones');
    out.push({ number, label });
  });
  if (out.length > MAX_PUBLIC_PHONES) throw new SettingsError(`最多 ${MAX_PUBLIC_PHONES} 个号码`, 'publicPhones');
  return out;
}

/** The list as the form shows it, one "number label" per line. */
export function publicPhonesText(list: Settings['publicPhones']): string {
  return list.map((p) => `${p.number} ${p.label}`).join('\n');
}

/** Saves the list with its audit row in one batch; returns what was stored. */
export async function savePublicPhones(db: Db, actorId: number, text: string, ip?: string): Promise<{ number: string; label: string }[]> {
  const list = parsePublicPhones(text);
  const before = (await getSettings(db)).publicPhones;
  const value = JSON.stringify(list);
  const now = Date.now();
  await writeBatch(db, [
    sql`INSERT INTO settings (key, value, updated_at) VALUES ('publicPhones', ${value}, ${now}) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    auditStatement({ actorId, action: 'settings.public_phones', targetType: 'settings', targetId: 'publicPhones', before, after: list, ip }),
  ]);
  return list;
}

/** The `publicNumber` test for the personal-data check: true for exactly the listed numbers. */
export function publicNumberTest(s: Pick<Settings, 'publicPhones'>): (digits: string, kind: PiiKind) => boolean {
  const allowed = new Set(s.publicPhones.map((p) => phoneDigits(p.number)).filter((d): d is string => !!d));
  return (digits, kind) => allowed.has(kind === 'phone' ? digits.slice(-11) : digits);
}
