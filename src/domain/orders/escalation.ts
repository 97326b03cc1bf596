// Overdue 四单 orders escalate (issue 20): once per stage an order passes its menu item's time limit
// (working days), a dated step tells the resident it is being chased, the 中心's order staff get a
// 督办 站内信, the 所 of the order's 乡镇 is told it went up, and for an order a team holds, that
// team's leaders. Run by a timer in every process: the step is one
// INSERT … SELECT … WHERE NOT EXISTS, so each stage of each order escalates once across processes.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { noticeInsert } from '../notices/index.ts';
import { leadershipRowSql } from '../accounts/policy.ts';
import { overdueSql } from './figures.ts';
import { centreOrderStaffSql, townOrderStaffSql } from './scope.ts';
import { repeatEvery } from '../../lib/repeat.ts';

const STAGE: Record<string, string> = { new: '受理', accepted: '派单', open: '派单', assigned: '办结' };

/**
 * Escalates every order past its limit at `now` (working days, docs/decisions/100, stored on the order:
 * 106) that was not escalated at this stage; returns how many. Candidates are read first; the step is then
 * one INSERT … SELECT guarded by the status read (row values) and NOT EXISTS, so an order that moved on
 * meanwhile, or that another process escalated, gets no step.
 */
export async function escalateOverdueOrders(db: Db, now = Date.now()): Promise<number> {
  // The deadlines are stored on the order (docs/decisions/106): the open orders past one are an index range.
  const due = await db.all<{ id: number; status: string }>(
    sql`SELECT o.id, o.status FROM service_orders o
      WHERE o.status IN ('new', 'accepted', 'open', 'assigned') AND ${overdueSql(now, 'o')}
        AND NOT EXISTS (SELECT 1 FROM service_order_steps s WHERE s.order_id = o.id AND s.kind = 'escalated-' || o.status)`,
  );
  if (!due.length) return 0;
  const pairs = sql.join(
    due.map((c) => sql`(${c.id}, ${c.status})`),
    sql`, `,
  );
  const escalated = await db.all<{ order_id: number }>(sql`INSERT INTO service_order_steps (order_id, at, kind, text)
    SELECT o.id, ${now}, 'escalated-' || o.status,
      CASE o.status WHEN 'new' THEN '超过受理时限，已提请县新时代文明实践中心督办'
        WHEN 'assigned' THEN '超过办结时限，已提请县新时代文明实践中心督办'
        ELSE '超过派单时限，已提请县新时代文明实践中心督办' END
    FROM service_orders o
    WHERE (o.id, o.status) IN (VALUES ${pairs})
      AND NOT EXISTS (SELECT 1 FROM service_order_steps s WHERE s.order_id = o.id AND s.kind = 'escalated-' || o.status)
    RETURNING order_id`);
  if (!escalated.length) return 0;
  // A second statement: a crash here loses a notice, never the escalation step (docs/architecture.md).
  const ids = escalated.map((r) => Number(r.order_id));
  const rows = await db.all<{ id: number; tracking_no: string; status: string; team_id: number | null; town_id: number; town: string | null }>(
    sql`SELECT id, tracking_no, status, team_id, town_id, (SELECT name FROM regions WHERE id = town_id) AS town FROM service_orders WHERE id IN (${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  );
  const centre = await db.all<{ user_id: number }>(centreOrderStaffSql());
  const notices = [];
  for (const o of rows) {
    const stage = STAGE[o.status] ?? '办理';
    const link = `/console/orders/${o.id}`;
    // The next level up: the 中心's order staff (no 乡镇 scope) are asked to chase it …
    for (const s of centre) notices.push(noticeInsert(db, { userId: Number(s.user_id), kind: 'order_overdue', title: `【督办】${o.town ?? ''}服务点单超过${stage}时限：${o.tracking_no}`, link }));
    // … and the 所 that holds it hears that it went up.
    const town = await db.all<{ user_id: number }>(townOrderStaffSql(o.town_id));
    for (const s of town)
      notices.push(
        noticeInsert(db, {
          userId: Number(s.user_id),
          kind: 'order_overdue',
          title: `本乡镇服务点单超过${stage}时限，已提请县中心督办：${o.tracking_no}`,
          body: '请尽快处理，并在点单页面留下办理记录。',
          link,
        }),
      );
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
export function startOrderEscalation(db: Db, everyMs = 10 * 60_000): () => void {
  return repeatEvery(['点单超时督办', 'order escalation'], everyMs, () => escalateOverdueOrders(db), { immediately: false });
}
