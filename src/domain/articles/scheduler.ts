// Scheduled publishing, exactly once across processes: one UPDATE … RETURNING
// claims due articles, so two ticks at once cannot both publish the same one
// (docs/decisions/051-scheduled-publishing.md).
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/batch.ts';
import { auditInsert } from '../audit/index.ts';
import { noticeInsert } from '../notices/index.ts';

/** Publishes every scheduled article whose time has come; returns the ids this call published. */
export async function runScheduledPublishing(db: Db, now = Date.now()): Promise<number[]> {
  const rs = await db.$client.execute({
    sql: `UPDATE articles SET status='published', published_at=publish_at, updated_at=?
          WHERE status='scheduled' AND publish_at <= ? RETURNING id, title, created_by`,
    args: [now, now],
  });
  if (!rs.rows.length) return [];
  const stmts = rs.rows.flatMap((r) => {
    const id = Number(r.id);
    const out = [auditInsert(db, { action: 'article.publish_scheduled', targetType: 'article', targetId: id, after: { status: 'published' } })];
    if (r.created_by != null) out.push(noticeInsert(db, { userId: Number(r.created_by), kind: 'article', title: `文章《${String(r.title)}》已按计划发布`, link: `/console/articles/${id}` }) as never);
    return out;
  });
  await writeBatch(db, stmts);
  return rs.rows.map((r) => Number(r.id));
}

/** Starts the timer that runs scheduled publishing every `everyMs` (default 30 s); returns a stop function. */
export function startPublishingTimer(getDb: () => Promise<Db>, everyMs = 30_000, log: (m: string) => void = console.error): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await runScheduledPublishing(await getDb());
    } catch (e) {
      log(`定时发布失败 / scheduled publishing failed: ${(e as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
