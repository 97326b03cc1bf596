// Scheduled publishing, exactly once across processes: one UPDATE … RETURNING
// claims due articles, so two ticks at once cannot both publish the same one
// (docs/decisions/051-scheduled-publishing.md).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch, type Statement } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { noticeInsert } from '../notices/index.ts';
import { repeatEvery } from '../../lib/repeat.ts';

/** Publishes every scheduled article whose time has come; returns the ids this call published. */
export async function runScheduledPublishing(db: Db, now = Date.now()): Promise<number[]> {
  const claimed = await db.all<{ id: number; title: string; created_by: number | null }>(sql`UPDATE articles SET status = 'published', published_at = publish_at, updated_at = ${now}
    WHERE status = 'scheduled' AND publish_at <= ${now} RETURNING id, title, created_by`);
  if (!claimed.length) return [];
  // The claim decides which articles this process publishes; their records follow in one batch.
  const stmts = claimed.flatMap((r): Statement[] => {
    const id = Number(r.id);
    const out: Statement[] = [auditStatement({ action: 'article.publish_scheduled', targetType: 'article', targetId: id, after: { status: 'published' } })];
    if (r.created_by != null) out.push(noticeInsert(db, { userId: Number(r.created_by), kind: 'article', title: `文章《${String(r.title)}》已按计划发布`, link: `/console/articles/${id}` }));
    return out;
  });
  await writeBatch(db, stmts);
  return claimed.map((r) => Number(r.id));
}

/** Starts the timer that runs scheduled publishing every `everyMs` (default 30 s); returns a stop function. */
export function startPublishingTimer(getDb: () => Promise<Db>, everyMs = 30_000): () => void {
  return repeatEvery(['定时发布', 'scheduled publishing'], everyMs, async () => runScheduledPublishing(await getDb()));
}
