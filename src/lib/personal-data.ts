// The personal-data detector every public free-text field goes through (DOMAIN.md
// "Publishing"; issue 15 item 9; docs/decisions/078-reader-text-personal-data.md).
// It reads what a reader sees (lib/reader-text.ts), joins digit groups split by spaces,
// dots, dashes, brackets, markup or invisible characters, and looks for mainland
// mobile and landline numbers, ID numbers (18-digit with checksum, 15-digit old form),
// Luhn-valid card numbers and the names of honorees who did not consent to their name
// being published. Hits carry their range in the original text, so one click masks them.
import { parseIdNumber } from './id-number.ts';
import { maskIdNumber, maskName, maskPhone } from './pii.ts';
import { readerChars, type ReaderChar } from './reader-text.ts';

export type PiiKind = 'phone' | 'landline' | 'id' | 'card' | 'name';

export const PII_LABELS: Record<PiiKind, string> = { phone: '手机号码', landline: '固定电话号码', id: '身份证号码', card: '银行卡号', name: '未同意公开的姓名' };

/** One personal-data hit in a text field. */
export interface PiiHit {
  field: string;
  kind: PiiKind;
  /** [start, end) in the original text. */
  start: number;
  end: number;
  /** The original text of the hit (markup and invisible characters included). */
  value: string;
  masked: string;
  /** A few characters either side, for showing the hit in context. */
  before: string;
  after: string;
}

/** What else the check needs to know; `publicNumber` is the one place for exceptions (numbers staff publish on purpose). */
export interface PersonalDataOptions {
  /** Full names that must not appear (honorees without name consent). */
  names?: readonly string[];
  /** The field is Markdown: a masked name is written with escaped asterisks so it cannot turn into emphasis. */
  markdown?: boolean;
  /** Digits of a number that may be published (e.g. an office hotline); none by default. */
  publicNumber?: (digits: string, kind: PiiKind) => boolean;
}

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
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

// Province codes that begin a 居民身份证 number (GB/T 2260): 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81–83.
const PROVINCE = /^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])/;

/** A valid old-form (1984–1999) 15-digit ID number: province, birth date 19YYMMDD, sequence. */
export function validOldIdNumber(d: string, now = new Date()): boolean {
  if (!/^\d{15}$/.test(d) || !PROVINCE.test(d)) return false;
  const y = 1900 + Number(d.slice(6, 8));
  const m = Number(d.slice(8, 10));
  const day = Number(d.slice(10, 12));
  const date = new Date(Date.UTC(y, m - 1, day));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === day && date.getTime() <= now.getTime();
}

/** 08381234567 → 0838-***4567: the area code stays (it names the county, not the person). */
export function maskLandline(digits: string): string {
  const area = /^0(10|2\d)/.test(digits) ? digits.slice(0, 3) : digits.slice(0, 4);
  const local = digits.slice(area.length);
  return `${area}-${'*'.repeat(Math.max(0, local.length - 4))}${local.slice(-4)}`;
}

const MOBILE = /^(?:0086|86|0)?(1[3-9]\d{9})$/;
// Area code (010, 02x, 0xxx) and a 7–8 digit local number that does not start with 0.
const LANDLINE = /^0(?:10|2\d|[3-9]\d{2})[1-9]\d{6,7}$/;
const CN_DIGITS: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 幺: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
// Between digit groups: spaces, dots, dashes of every width, middle dots, slashes, brackets.
const SEPARATOR = /^[\s.\-‐‑‒–—―−﹣·・•/()]$/u;
const CONTEXT = 12;
/** At most this many visible separators between two groups of one number ("138 - 1234"). */
const MAX_GAP = 3;
/** At most this many visibly separated groups in one number, unless every group is one digit. */
const MAX_GROUPS = 5;

interface Group {
  digits: string;
  x: boolean;
  from: number;
  to: number;
  gapBefore: number | null;
}

/** Digit groups of a reader's view, each with the visible gap to the previous group (null: not part of one number). */
function digitGroups(cs: ReaderChar[]): Group[] {
  const groups: Group[] = [];
  let i = 0;
  let gap: number | null = null;
  let lastWasSpace = false;
  while (i < cs.length) {
    const ch = cs[i].ch;
    const ascii = ch >= '0' && ch <= '9';
    const cn = ch in CN_DIGITS;
    if (ascii || cn) {
      let j = i;
      let digits = '';
      while (j < cs.length && (j === i || !cs[j].afterHidden)) {
        const c = cs[j].ch;
        if (ascii ? c >= '0' && c <= '9' : c in CN_DIGITS) digits += ascii ? c : CN_DIGITS[c];
        else break;
        j++;
      }
      // A lone 一 or 三 is a word, not a digit: Chinese numerals count only as a run of three or more.
      if (cn && digits.length < 3) {
        gap = null;
        i = j;
        continue;
      }
      let x = false;
      if (ascii && j < cs.length && !cs[j].afterHidden && (cs[j].ch === 'X' || cs[j].ch === 'x')) {
        x = true;
        j++;
      }
      groups.push({ digits, x, from: i, to: j, gapBefore: groups.length ? gap : null });
      gap = x ? null : 0;
      lastWasSpace = false;
      i = j;
      continue;
    }
    if (gap !== null && SEPARATOR.test(ch)) {
      const space = /\s/.test(ch);
      if (!(space && lastWasSpace)) gap++;
      lastWasSpace = space;
      if (gap > MAX_GAP) gap = null;
    } else {
      gap = null;
      lastWasSpace = false;
    }
    i++;
  }
  return groups;
}

interface Match {
  kind: PiiKind;
  a: number;
  b: number;
  digits: string;
  masked: string;
  rank: number;
}

/** The kind of number a run of digits is, if it is personal data. */
function classify(digits: string, x: boolean, groups: Group[]): Omit<Match, 'a' | 'b' | 'digits'> | null {
  if (x) {
    if (digits.length === 17 && parseIdNumber(digits + 'X').ok) return { kind: 'id', masked: maskIdNumber(digits + 'X'), rank: 0 };
    return null;
  }
  if (digits.length === 18 && parseIdNumber(digits).ok) return { kind: 'id', masked: maskIdNumber(digits), rank: 0 };
  if (digits.length === 15 && validOldIdNumber(digits)) return { kind: 'id', masked: maskIdNumber(digits), rank: 0 };
  const mobile = MOBILE.exec(digits);
  if (mobile) return { kind: 'phone', masked: maskPhone(mobile[1]), rank: 1 };
  if (LANDLINE.test(digits)) return { kind: 'landline', masked: maskLandline(digits), rank: 2 };
  if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) {
    // Cards are written in one run or in groups of four; other groupings are tables of small numbers.
    const lens = groups.map((g) => g.digits.length);
    if (lens.length === 1 || lens.slice(0, -1).every((n) => n === 4)) return { kind: 'card', masked: maskCard(digits), rank: 3 };
  }
  return null;
}

/** Every personal number in one reader's view, as index ranges into `cs`. */
function numbersIn(cs: ReaderChar[], opts: PersonalDataOptions): Match[] {
  const groups = digitGroups(cs);
  const found: Match[] = [];
  for (let a = 0; a < groups.length; a++) {
    let digits = '';
    let visible = 0;
    for (let b = a; b < groups.length; b++) {
      if (b > a) {
        if (groups[b].gapBefore === null || groups[b - 1].x) break;
        if (groups[b].gapBefore! > 0) visible++;
      }
      digits += groups[b].digits;
      if (digits.length > 19) break;
      const window = groups.slice(a, b + 1);
      if (visible >= MAX_GROUPS && !window.every((g) => g.digits.length === 1)) continue;
      // "15 000 000 000" is an amount written with thousands separators, not a phone number.
      if (visible >= 2 && window[0].digits.length <= 3 && window.slice(1).every((g) => g.digits.length === 3 && g.gapBefore! > 0)) continue;
      const m = classify(digits, groups[b].x, window);
      if (m && !opts.publicNumber?.(digits, m.kind)) found.push({ ...m, a: groups[a].from, b: groups[b].to, digits });
    }
  }
  return found;
}

/** Names that must stay masked, found in the reader's view (markup and invisible characters between their characters included). */
function namesIn(cs: ReaderChar[], opts: PersonalDataOptions): Match[] {
  const found: Match[] = [];
  if (!opts.names?.length) return found;
  const text = cs.map((c) => c.ch).join('');
  // Character index → ReaderChar index (a ReaderChar holds one code point, which may be two UTF-16 units).
  const at: number[] = [];
  cs.forEach((c, k) => {
    for (let u = 0; u < c.ch.length; u++) at.push(k);
  });
  at.push(cs.length);
  for (const name of new Set(opts.names)) {
    const n = name.normalize('NFKC').trim();
    if ([...n].length < 2) continue;
    let from = 0;
    for (let i = text.indexOf(n, from); i >= 0; i = text.indexOf(n, from)) {
      const masked = opts.markdown ? maskName(n).replace(/\*/g, '\\*') : maskName(n);
      found.push({ kind: 'name', a: at[i], b: at[i + n.length - 1] + 1, digits: n, masked, rank: 4 });
      from = i + n.length;
    }
  }
  return found;
}

/**
 * Finds personal data in one text as a reader would see it. The text is read twice — with
 * link destinations and tags hidden (a number split by a link or a tag) and with them
 * shown (a number inside a `tel:` link) — and overlapping hits are reported once.
 */
export function findPersonalData(text: string, field = 'body', opts: PersonalDataOptions = {}): PiiHit[] {
  if (!text) return [];
  const candidates: { kind: PiiKind; start: number; end: number; masked: string; rank: number }[] = [];
  for (const hideUrls of [true, false]) {
    const cs = readerChars(text, { hideUrls });
    for (const m of [...numbersIn(cs, opts), ...namesIn(cs, opts)]) {
      let start = cs[m.a].start;
      // "+86 138…": the plus belongs to the number.
      if (m.kind === 'phone' && m.digits.startsWith('86') && m.a > 0 && cs[m.a - 1].ch === '+') start = cs[m.a - 1].start;
      // "(0838) 1234567": the opening bracket goes with the area code.
      if (m.kind === 'landline' && m.a > 0 && cs[m.a - 1].ch === '(') start = cs[m.a - 1].start;
      candidates.push({ kind: m.kind, start, end: cs[m.b - 1].end, masked: m.masked, rank: m.rank });
    }
  }
  // Most specific first, then the longest: an ID number beats the phone-looking digits inside it.
  candidates.sort((p, q) => p.rank - q.rank || q.end - q.start - (p.end - p.start) || p.start - q.start);
  const hits: PiiHit[] = [];
  for (const c of candidates) {
    if (hits.some((h) => c.start < h.end && c.end > h.start)) continue;
    hits.push({
      field,
      kind: c.kind,
      start: c.start,
      end: c.end,
      value: text.slice(c.start, c.end),
      masked: c.masked,
      before: text.slice(Math.max(0, c.start - CONTEXT), c.start),
      after: text.slice(c.end, c.end + CONTEXT),
    });
  }
  return hits.sort((a, b) => a.start - b.start);
}

/** Replaces the hit spanning [start, end) by its masked form; the text is unchanged when no hit is there any more. */
export function maskAt(text: string, start: number, end: number, opts: PersonalDataOptions = {}): string {
  const hit = findPersonalData(text, 'x', opts).find((h) => h.start === start && h.end === end);
  if (!hit) return text;
  return text.slice(0, start) + hit.masked + text.slice(end);
}

/** Masks every hit (for text nobody can edit before it goes public, e.g. a resident's words copied into a page). */
export function maskPersonalData(text: string, opts: PersonalDataOptions = {}): string {
  let out = text;
  for (const h of findPersonalData(text, 'x', opts).reverse()) out = out.slice(0, h.start) + h.masked + out.slice(h.end);
  return out;
}
