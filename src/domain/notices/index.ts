// 站内信: notices to one user; e-mail delivery is added where SMTP_URL is set (issue 4).
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { notices } from '../../../db/schema/index.ts';

export interface NewNotice {
  userId: number;
  kind: string;
  title: string;
  body?: string;
  link?: string;
}

/** The insert statement for a notice, to batch with the change it reports. */
export function noticeInsert(db: Db, n: NewNotice) {
  return db.insert(notices).values({ userId: n.userId, kind: n.kind, title: n.title, body: n.body ?? '', link: n.link ?? null, createdAt: Date.now() });
}

/** Sends one notice; its e-mail copy (when SMTP_URL is set) goes out through the outbox. */
export async function notify(db: Db, n: NewNotice): Promise<void> {
  await noticeInsert(db, n);
}

/** Latest notices of a user. */
export async function listNotices(db: Db, userId: number, limit = 50) {
  return db.select().from(notices).where(eq(notices.userId, userId)).orderBy(desc(notices.createdAt), desc(notices.id)).limit(limit);
}

/** Marks one of the user's notices read (another user's id is ignored). */
export async function markRead(db: Db, userId: number, noticeId: number): Promise<void> {
  await db
    .update(notices)
    .set({ readAt: Date.now() })
    .where(and(eq(notices.id, noticeId), eq(notices.userId, userId), isNull(notices.readAt)));
}

/** Marks all of the user's notices read. */
export async function markAllRead(db: Db, userId: number): Promise<void> {
  await db
    .update(notices)
    .set({ readAt: Date.now() })
    .where(and(eq(notices.userId, userId), isNull(notices.readAt)));
}
