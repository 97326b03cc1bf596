// On-site check-in/out with a rotating 6-digit code (TOTP-like: HMAC-SHA256 of the
// 60-second time step keyed by events.checkin_secret; the previous step is accepted too).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { overlapMinutes } from './rules.ts';
import { Refusal } from '../refusal.ts';
import { formatTime } from '../../lib/time.ts';

export const CODE_STEP_MS = 60_000;
/** Check-in opens this long before the start. */
export const CHECKIN_OPENS_BEFORE_MS = 30 * 60_000;
/** Check-out stays open this long after the end, so people can leave when it ends. */
export const CHECKOUT_GRACE_MS = 30 * 60_000;

/** The 6-digit code for a time step (RFC 4226 dynamic truncation over HMAC-SHA256). */
export function codeForStep(secret: string, step: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha256', secret).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

/** The current code and when it expires. */
export function currentCode(secret: string, now = Date.now()): { code: string; expiresAt: number } {
  const step = Math.floor(now / CODE_STEP_MS);
  return { code: codeForStep(secret, step), expiresAt: (step + 1) * CODE_STEP_MS };
}

/** Whether a submitted code matches the current or the previous step. */
export function verifyCode(secret: string, submitted: string, now = Date.now()): boolean {
  const s = submitted.trim();
  if (!/^\d{6}$/.test(s)) return false;
  const step = Math.floor(now / CODE_STEP_MS);
  return [step, step - 1].some((k) => timingSafeEqual(Buffer.from(codeForStep(secret, k)), Buffer.from(s)));
}

/** A refused check-in or check-out. */
export class CheckinError extends Refusal {
  constructor(message: string) {
    super('BAD_REQUEST', message);
    this.name = 'CheckinError';
  }
}

async function load(db: Db, eventId: number, userId: number) {
  const [r] = await db.all<Record<string, unknown>>(sql`SELECT e.starts_at, e.ends_at, e.status AS event_status, e.checkin_secret, s.id, s.status, s.checkin_at, s.checkout_at
    FROM events e LEFT JOIN signups s ON s.event_id = e.id AND s.user_id = ${userId} WHERE e.id = ${eventId}`);
  if (!r) throw new CheckinError('活动不存在');
  return {
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    eventStatus: String(r.event_status),
    secret: String(r.checkin_secret ?? ''),
    signupId: r.id == null ? null : Number(r.id),
    status: r.status == null ? null : String(r.status),
    checkinAt: r.checkin_at == null ? null : Number(r.checkin_at),
    checkoutAt: r.checkout_at == null ? null : Number(r.checkout_at),
  };
}

/** Volunteer checks in with the on-site code, from 30 minutes before the start until the end. */
export async function checkIn(db: Db, input: { eventId: number; userId: number; code: string }, now = Date.now()): Promise<void> {
  const x = await load(db, input.eventId, input.userId);
  if (!x.signupId || !['confirmed', 'attended'].includes(x.status ?? '')) throw new CheckinError('您没有报名本活动（或仍在候补），不能签到');
  if (x.eventStatus !== 'published' && x.eventStatus !== 'completed') throw new CheckinError('活动未开放签到');
  if (now < x.startsAt - CHECKIN_OPENS_BEFORE_MS) throw new CheckinError('签到将在活动开始前 30 分钟开放');
  if (now > x.endsAt) throw new CheckinError('活动已结束，不能签到');
  if (!x.secret || !verifyCode(x.secret, input.code, now)) throw new CheckinError('签到码不正确或已过期，请扫描现场最新二维码');
  if (x.checkinAt) return;
  await db.run(sql`UPDATE signups SET checkin_at = ${now}, status = 'attended', updated_at = ${now} WHERE id = ${x.signupId} AND checkin_at IS NULL AND status IN ('confirmed','attended')`);
}

/**
 * Volunteer checks out with the code. Check-out opens at the event's start (issue 18, item 12: an
 * early tap of 签退 used to record 0 minutes silently); proposed minutes = the overlap of the checked-in
 * span with the event window, i.e. never more than either. The guard lives in the UPDATE itself.
 */
export async function checkOut(db: Db, input: { eventId: number; userId: number; code: string }, now = Date.now()): Promise<number> {
  const x = await load(db, input.eventId, input.userId);
  if (!x.signupId || !x.checkinAt || x.status !== 'attended') throw new CheckinError('请先签到');
  if (x.checkoutAt) throw new CheckinError('您已签退，无需重复签退');
  if (now < x.startsAt) throw new CheckinError(`活动尚未开始，不能签退：活动开始（${formatTime(x.startsAt)}）后才能签退，结束离开时再签退即可`);
  if (now > x.endsAt + CHECKOUT_GRACE_MS) throw new CheckinError('签退时间已过，请联系队伍负责人登记');
  if (!verifyCode(x.secret, input.code, now)) throw new CheckinError('签到码不正确或已过期，请扫描现场最新二维码');
  const minutes = overlapMinutes(x.checkinAt, now, x.startsAt, x.endsAt);
  const written = await guardedWrite(
    db,
    sql`UPDATE signups SET checkout_at = ${now}, proposed_minutes = ${minutes}, updated_at = ${now}
    WHERE id = ${x.signupId} AND status = 'attended' AND checkout_at IS NULL
      AND EXISTS (SELECT 1 FROM events e WHERE e.id = signups.event_id AND e.starts_at <= ${now})`,
  );
  if (!written) throw new CheckinError('签退未成功：您可能已签退或活动时间已调整，请刷新页面后重试');
  return minutes;
}
