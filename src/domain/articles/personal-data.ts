// Pre-submission checks (docs/decisions/050): personal data that blocks
// submission (phones, ID numbers with a valid checksum, Luhn-valid card numbers)
// and configurable wordings that only warn.
import { parseIdNumber } from '../../lib/id-number.ts';
import { maskIdNumber, maskPhone } from '../../lib/pii.ts';

export type PiiKind = 'phone' | 'id' | 'card';

export const PII_LABELS: Record<PiiKind, string> = { phone: '手机号码', id: '身份证号码', card: '银行卡号' };

/** One personal-data hit in a text field. */
export interface PiiHit {
  field: string;
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
  masked: string;
  /** A few characters either side, for showing the hit in context. */
  before: string;
  after: string;
}

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** 6222020200001234 → 6222********1234 (separators dropped). */
export function maskCard(card: string): string {
  const d = card.replace(/\D/g, '');
  return d.slice(0, 4) + '*'.repeat(Math.max(0, d.length - 8)) + d.slice(-4);
}

const CONTEXT = 12;

/** Finds phone, ID and card numbers in one text. Numbers failing their checksum are ignored. */
export function findPersonalData(text: string, field = 'body'): PiiHit[] {
  const hits: PiiHit[] = [];
  const taken: [number, number][] = [];
  const overlaps = (s: number, e: number) => taken.some(([a, b]) => s < b && e > a);
  const add = (kind: PiiKind, start: number, value: string, masked: string) => {
    const end = start + value.length;
    if (overlaps(start, end)) return;
    taken.push([start, end]);
    hits.push({ field, kind, start, end, value, masked, before: text.slice(Math.max(0, start - CONTEXT), start), after: text.slice(end, end + CONTEXT) });
  };
  // ID numbers first: 17 digits + check character, not part of a longer run.
  for (const m of text.matchAll(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g)) {
    if (parseIdNumber(m[0]).ok) add('id', m.index, m[0], maskIdNumber(m[0].toUpperCase()));
  }
  // Mainland mobile numbers, optionally written 138-1234-5678 or 138 1234 5678 or +86.
  for (const m of text.matchAll(/(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])/g)) {
    const digits = m[0].replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
    if (digits.length === 11) add('phone', m.index, m[0], maskPhone(digits));
  }
  // Card numbers: 13–19 digits, optionally grouped by spaces or hyphens, passing Luhn.
  for (const m of text.matchAll(/(?<![0-9])\d(?:[- ]?\d){12,18}(?![0-9])/g)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) add('card', m.index, m[0], maskCard(digits));
  }
  return hits.sort((a, b) => a.start - b.start);
}

/** Hits across the fields that are published (title, summary, body). */
export function checkFields(fields: { title: string; summary: string; body: string }): PiiHit[] {
  return [
    ...findPersonalData(fields.title, 'title'),
    ...findPersonalData(fields.summary, 'summary'),
    ...findPersonalData(fields.body, 'body'),
  ];
}

/** Replaces the hit at `start` in `text` by its masked form; unchanged when the text moved. */
export function maskAt(text: string, start: number, value: string): string {
  if (text.slice(start, start + value.length) !== value) return text;
  const hit = findPersonalData(text).find((h) => h.start === start && h.value === value);
  if (!hit) return text;
  return text.slice(0, start) + hit.masked + text.slice(start + value.length);
}

/** A wording warning: a word to avoid and, when known, the preferred form. */
export interface WordingWarning { field: string; word: string; suggestion?: string; count: number }

/** Parses settings.sensitiveWords entries: "做为→作为" (or "做为=>作为") or just "敏感词". */
export function parseWordings(list: string[]): { word: string; suggestion?: string }[] {
  return list
    .map((e) => {
      const [word, suggestion] = e.split(/→|=>/).map((s) => s.trim());
      return { word, suggestion: suggestion || undefined };
    })
    .filter((w) => w.word);
}

/** Occurrences of configured wordings in title, summary and body. */
export function checkWordings(fields: { title: string; summary: string; body: string }, list: string[]): WordingWarning[] {
  const out: WordingWarning[] = [];
  for (const { word, suggestion } of parseWordings(list)) {
    for (const field of ['title', 'summary', 'body'] as const) {
      const count = fields[field].split(word).length - 1;
      if (count > 0) out.push({ field, word, suggestion, count });
    }
  }
  return out;
}
