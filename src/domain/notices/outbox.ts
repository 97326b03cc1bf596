// E-mail copies of notices through an outbox: every notice row is handled
// once, by whichever app process claims it first (one UPDATE … RETURNING), so
// changes never wait on a mail server and no notice is mailed twice.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { sendMail } from '../../lib/mail.ts';
import { log } from '../../lib/log.ts';
import { repeatEvery } from '../../lib/repeat.ts';

/** Notices older than this when first seen are marked handled without mail (e.g. SMTP just configured). */
export const OUTBOX_MAX_AGE_MS = 24 * 3600_000;

/** Claims up to `limit` unhandled notices and e-mails those whose user gave an address. Returns how many were sent. */
export async function runNoticeOutbox(db: Db, opts: { smtpUrl: string; siteUrl: string; now?: number; limit?: number }): Promise<number> {
  const now = opts.now ?? Date.now();
  const claimed = await db.all<Record<string, unknown>>(sql`UPDATE notices SET emailed_at = ${now}
    WHERE id IN (SELECT id FROM notices WHERE emailed_at IS NULL ORDER BY id LIMIT ${opts.limit ?? 50})
    RETURNING id, user_id, title, body, link, created_at`);
  let sent = 0;
  for (const r of claimed) {
    if (Number(r.created_at) < now - OUTBOX_MAX_AGE_MS) continue;
    const [u] = await db.all<{ email: string | null }>(sql`SELECT email FROM users WHERE id = ${Number(r.user_id)} AND status = 'active'`);
    const email = u?.email ? String(u.email) : '';
    if (!email) continue;
    const link = r.link ? `\n\n${opts.siteUrl}${String(r.link)}` : '';
    try {
      await sendMail(opts.smtpUrl, { to: email, subject: String(r.title), text: `${String(r.body ?? '')}${link}` }, { timeoutMs: 10_000 });
      sent++;
    } catch (err) {
      log('warn', 'notice e-mail failed', { noticeId: Number(r.id), error: String((err as Error)?.message ?? err) });
    }
  }
  return sent;
}

/** Runs the outbox every `everyMs` while SMTP_URL is set; returns a stop function. */
export function startNoticeOutbox(db: Db, opts: { smtpUrl?: string; siteUrl: string; everyMs?: number }): () => void {
  if (!opts.smtpUrl) return () => {};
  const smtpUrl = opts.smtpUrl;
  return repeatEvery(
    ['站内信邮件发送', 'notice outbox'],
    opts.everyMs ?? 15_000,
    async () => {
      while ((await runNoticeOutbox(db, { smtpUrl, siteUrl: opts.siteUrl })) > 0) {
        /* drain */
      }
    },
    { immediately: false, onError: (e) => log('warn', 'notice outbox failed', { error: e.message }) },
  );
}
