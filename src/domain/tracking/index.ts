// Tracking numbers (issue 18, item 7): a resident looks up any number they were given with the last
// four digits of their phone (or the 查询码 an objection without a phone got) and sees a dated timeline
// and what comes next. Each kind of record is one file exporting a TrackKind; adding a kind is adding
// that file and one line in KINDS (docs/decisions/089).
import type { Db } from '../../../db/client.ts';
import { hitRateLimit, rateKey } from '../accounts/rate-limit.ts';
import { Refusal } from '../refusal.ts';
import { nominationKind } from './nomination.ts';
import { objectionKind } from './objection.ts';
import { serviceOrderKind } from './service-order.ts';

/** One dated line of a timeline (epoch ms; pages show it in Beijing time). */
export interface TimelineEntry {
  at: number;
  text: string;
  /** An optional public page the step refers to (the event, the published entry). */
  href?: string;
}

/** What /track shows for a number: never a full name, phone or address (masked names only). */
export interface Tracked {
  /** What kind of record this is, in words (好人推荐, 普法讲座预约, 公示异议). */
  kind: string;
  number: string;
  /** One line about the record, with names masked. */
  subject: string;
  /** The current state, in words. */
  status: string;
  /** Oldest first. */
  timeline: TimelineEntry[];
  /** 下一步: what happens next, or that the matter is closed. */
  next: string;
  /** True when nothing more will happen. */
  finished: boolean;
  /** True when the holder may rate the record now, on the same page (a finished service order, issue 20). */
  rateable?: boolean;
}

/** One kind of tracked record: its number format and how to read one record's timeline. */
export interface TrackKind {
  /** Whether a (normalised) number has this kind's format. */
  matches(number: string): boolean;
  /** The record when the number exists AND its four digits match; null otherwise (the same null for both). */
  find(db: Db, number: string, digits: string): Promise<Tracked | null>;
}

/** Every kind /track knows, tried in order. */
export const KINDS: readonly TrackKind[] = [nominationKind, objectionKind, serviceOrderKind];

/** Lookups per address per hour, and per number per hour (four digits are only 10,000 tries). */
export const TRACK_LOOKUPS_PER_IP_PER_HOUR = 30;
export const TRACK_LOOKUPS_PER_NUMBER_PER_HOUR = 10;

/** A refused lookup: bad input (next to its field) or too many tries. */
export class TrackingRefusal extends Refusal {
  constructor(status: 'BAD_REQUEST' | 'TOO_MANY_REQUESTS', message: string, field?: string) {
    super(status, message, field);
    this.name = 'TrackingRefusal';
  }
}

/** A number as people type it: full-width characters, spaces, lower case and left-out hyphens (TJ2026ABC123) forgiven. */
export function normaliseNumber(raw: string): string {
  const n = raw
    .normalize('NFKC')
    .replace(/[\s\u3000]/g, '')
    .replace(/[‐‑–—−_]/g, '-')
    .toUpperCase();
  const m = /^(TJ|YY|DD)-?(\d{4})-?([A-Z0-9]{6})$/.exec(n);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : n;
}

/**
 * Looks a number up for the person who holds it. Refuses malformed input with a message for its field
 * and too many tries (per address and per number, counted before anything is read); answers null alike
 * for a number that does not exist and for wrong digits, so a guess learns nothing.
 */
export async function trackNumber(db: Db, input: { number: string; digits: string; ip: string; secretKey: Buffer }, now = Date.now()): Promise<Tracked | null> {
  const number = normaliseNumber(input.number);
  const digits = input.digits.normalize('NFKC').trim();
  if (!number) throw new TrackingRefusal('BAD_REQUEST', '请填写受理编号', 'no');
  if (number.length > 40 || !/^[A-Z0-9-]+$/.test(number)) throw new TrackingRefusal('BAD_REQUEST', '编号由字母、数字和短横线组成，例如 TJ-2026-ABC123', 'no');
  if (!/^\d{4}$/.test(digits)) throw new TrackingRefusal('BAD_REQUEST', '请填写 4 位数字：手机号码后四位，或异议确认页上的查询码', 'last4');
  const byIp = await hitRateLimit(db, rateKey(input.secretKey, 'track-ip', input.ip), TRACK_LOOKUPS_PER_IP_PER_HOUR, 3600_000, now);
  const byNumber = await hitRateLimit(db, rateKey(input.secretKey, 'track-no', number), TRACK_LOOKUPS_PER_NUMBER_PER_HOUR, 3600_000, now);
  if (!byIp.allowed || !byNumber.allowed) throw new TrackingRefusal('TOO_MANY_REQUESTS', '查询次数过多，请一小时后再试；如有急事请致电县委宣传部');
  const kind = KINDS.find((k) => k.matches(number));
  return kind ? kind.find(db, number, digits) : null;
}
