// 评单 by a link in an SMS (issue 20): when an order is done the resident gets a one-time link to rate it
// without typing the number. The token is random (20 bytes), only its SHA-256 is stored, it expires after
// 30 days and is used up by the very rating it allows (the same guarded write as rating on /track).
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { randomToken } from '../../lib/ids.ts';
import { isPlainText } from '../../lib/plain-text.ts';
import type { SmsMessage } from '../../lib/sms.ts';
import { log } from '../../lib/log.ts';
import { maskPhone } from '../../lib/pii.ts';
// A cycle index.ts ↔ this file is fine: each uses the other's exports only when called.
import { OrderError, recordRating } from './index.ts';

/** How long a rating link works. */
export const RATING_LINK_TTL_MS = 30 * 86400_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const validToken = (token: string) => /^[a-z0-9]{20,64}$/.test(token);

/** A fresh link for an order: the token (for the SMS only) and the INSERT for the batch that closes the order. */
export function newRatingLink(orderId: number, now: number): { token: string; statement: SQL } {
  const token = randomToken(20);
  return {
    token,
    statement: sql`INSERT INTO order_rating_links (token_hash, order_id, expires_at, created_at) VALUES (${hashToken(token)}, ${orderId}, ${now + RATING_LINK_TTL_MS}, ${now})`,
  };
}

/** What the rating page may show: never the phone, the address, the name or the need in the resident's words. */
export interface RatingLinkView {
  state: 'open' | 'used' | 'expired';
  trackingNo: string;
  status: string;
  item: string;
  townId: number;
  villageId: number;
  doneAt: number | null;
  team: string | null;
  rating: number | null;
}

/** The order behind a link, or undefined for a token that was never issued (a 404). */
export async function ratingLinkView(db: Db, token: string, now = Date.now()): Promise<RatingLinkView | undefined> {
  if (!validToken(token)) return undefined;
  const [r] = await db.all<{
    used_at: number | null;
    expires_at: number;
    tracking_no: string;
    status: string;
    item: string;
    town_id: number;
    village_id: number;
    done_at: number | null;
    team: string | null;
    rating: number | null;
  }>(
    sql`SELECT l.used_at, l.expires_at, o.tracking_no, o.status, i.name AS item, o.town_id, o.village_id, o.done_at, o.rating,
        (SELECT name FROM teams WHERE id = o.team_id) AS team
      FROM order_rating_links l JOIN service_orders o ON o.id = l.order_id JOIN service_items i ON i.id = o.item_id
      WHERE l.token_hash = ${hashToken(token)}`,
  );
  if (!r) return undefined;
  const state = r.used_at != null || r.status === 'rated' ? 'used' : Number(r.expires_at) <= now ? 'expired' : 'open';
  return {
    state,
    trackingNo: r.tracking_no,
    status: r.status,
    item: r.item,
    townId: Number(r.town_id),
    villageId: Number(r.village_id),
    doneAt: r.done_at == null ? null : Number(r.done_at),
    team: r.team,
    rating: r.rating == null ? null : Number(r.rating),
  };
}

/**
 * Rates the order behind a link: the rating is recorded only while the link is unused and unexpired, and
 * the link is used up in the same batch (`recordRating`, the function /track uses too).
 */
export async function rateOrderByLink(db: Db, token: string, input: { rating: number; comment: string }, now = Date.now()): Promise<void> {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) throw new OrderError('BAD_REQUEST', '请选择 1–5 星', 'rating');
  const comment = input.comment.trim();
  if (comment.length > 300 || !isPlainText(comment)) throw new OrderError('BAD_REQUEST', '评价内容不超过 300 字', 'comment');
  if (!validToken(token)) throw new OrderError('NOT_FOUND', '评价链接无效');
  const hash = hashToken(token);
  const [link] = await db.all<{ order_id: number }>(sql`SELECT order_id FROM order_rating_links WHERE token_hash = ${hash}`);
  if (!link) throw new OrderError('NOT_FOUND', '评价链接无效');
  const ok = await recordRating(db, Number(link.order_id), input.rating, comment, now, {
    guard: sql`EXISTS (SELECT 1 FROM order_rating_links l WHERE l.token_hash = ${hash} AND l.order_id = service_orders.id AND l.used_at IS NULL AND l.expires_at > ${now})`,
    followUps: [sql`UPDATE order_rating_links SET used_at = ${now} WHERE token_hash = ${hash}`],
  });
  if (ok) return;
  const view = await ratingLinkView(db, token, now);
  if (view?.state === 'used') throw new OrderError('CONFLICT', '您已评价过这个点单，谢谢！');
  if (view?.state === 'expired') throw new OrderError('CONFLICT', '评价链接已过期（30 天内有效）。您仍可凭受理编号和手机号码后四位在“查询进度”页评价');
  throw new OrderError('CONFLICT', '服务完成后才能评价');
}

/** The SMS text a rating link goes out in (no name, phone or address: only the number and the link). */
export function ratingSmsText(trackingNo: string, link: string): string {
  return `您的志愿服务点单 ${trackingNo} 已办结，请点击链接为服务打分：${link} （30 天内有效，只能评价一次）`;
}

/**
 * Sends the rating link to the resident's phone after the order was closed: a second step, so a failed
 * send is logged and never undoes the closing (the resident can still rate on /track with four digits).
 */
export async function sendRatingLink(db: Db, input: { token: string; siteUrl: string; send: (m: SmsMessage) => Promise<void> }): Promise<boolean> {
  const [o] = await db.all<{ tracking_no: string; requester_phone: string }>(
    sql`SELECT o.tracking_no, o.requester_phone FROM order_rating_links l JOIN service_orders o ON o.id = l.order_id WHERE l.token_hash = ${hashToken(input.token)}`,
  );
  if (!o) return false;
  const link = `${input.siteUrl.replace(/\/$/, '')}/services/rate/${input.token}`;
  try {
    await input.send({ phone: o.requester_phone, code: '', minutes: 0, purpose: 'rate', rate: { trackingNo: o.tracking_no, link, text: ratingSmsText(o.tracking_no, link) } });
    return true;
  } catch (e) {
    log('warn', 'sms.rate.failed', { phone: maskPhone(o.requester_phone), error: String((e as Error)?.message ?? e) });
    return false;
  }
}
