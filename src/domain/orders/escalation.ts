// Overdue 四单 orders escalate (issue 20): once per stage an order passes its menu item's time limit,
// a dated step tells the resident it is being chased and the 中心's order staff (and, for an order a
// team holds, that team's leaders) get a 站内信. Run by a timer in every process: the step is one
// INSERT … SELECT … WHERE NOT EXISTS, so each stage of each order escalates once across processes.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { noticeInsert } from '../notices/index.ts';
import { leadershipRowSql } from '../accounts/policy.ts';

const H = 3600_000;
const D = 86400_000;

/** Escalates every order past its limit at `now` that was not escalated at this stage; returns how many. */
export async function escalateOverdueOrders(db: Db, now = Date.now()): Promise<number> {
  const escalated = await db.all<{ order_id: number }>(sql`INSERT INTO service_order_steps (order_id, at, kind, text)
    SELECT o.id, ${now}, 'escalated-' || o.status,
      CASE o.status WHEN 'new' THEN '超过受理时限，已提请县新时代文明实践中心督办'
        WHEN 'assigned' THEN '超过办结时限，已提请县新时代文明实践中心督办'
        ELSE '超过派单时限，已提请县新时代文明实践中心督办' END
    FROM service_orders o JOIN service_items i ON i.id = o.item_id
    WHERE ((o.status = 'new' AND ${now} > o.created_at + i.accept_hours * ${H})
        OR (o.status IN ('accepted', 'open') AND ${now} > coalesce(o.accepted_at, o.created_at) + i.dispatch_hours * ${H})
        OR (o.status = 'assigned' AND ${now} > o.created_at + i.finish_days * ${D}))
      AND NOT EXISTS (SELECT 1 FROM service_order_steps s WHERE s.order_id = o.id AND s.kind = 'escalated-' || o.status)
    RETURNING order_id`);
  if (!escalated.length) return 0;
  // A second statement: a crash here loses a notice, never the escalation step (docs/architecture.md).
  const ids = escalated.map((r) => Number(r.order_id));
  const rows = await db.all<{ id: number; tracking_no: string; status: string; team_id: number | null }>(
    sql`SELECT id, tracking_no, status, team_id FROM service_orders WHERE id IN (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  const staff = await db.all<{ id: number }>(sql`SELECT u.id FROM users u WHERE u.status = 'active' AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'editor')`);
  const notices = [];
  for (const o of rows) {
    const stage = o.status === 'new' ? '受理' : o.status === 'assigned' ? '办结' : '派单';
    for (const s of staff) notices.push(noticeInsert(db, { userId: s.id, kind: 'order_overdue', title: `服务点单超过${stage}时限：${o.tracking_no}`, link: `/console/orders/${o.id}` }));
    if (o.status === 'assigned' && o.team_id) {
      const leaders = await db.all<{ user_id: number }>(sql`SELECT m.user_id FROM team_members m WHERE m.team_id = ${o.team_id} AND ${leadershipRowSql('m')}`);
      for (const l of leaders)
        notices.push(
          noticeInsert(db, { userId: l.user_id, kind: 'order_overdue', title: `本队承接的点单已超过办结时限：${o.tracking_no}`, body: '请尽快与群众联系并完成服务，完成后在队伍的“服务点单”页确认。' }),
        );
    }
  }
  if (notices.length) await writeBatch(db, notices);
  return rows.length;
}

/** Runs the escalation now and then every `everyMs` (unref'd); returns the stop function. */
export function startOrderEscalation(db: Db, everyMs = 10 * 60_000, log: (m: string) => void = console.error): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await escalateOverdueOrders(db);
    } catch (e) {
      log(`点单超时督办失败 / order escalation failed: ${(e as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
