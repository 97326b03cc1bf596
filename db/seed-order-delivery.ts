// Demo data for 接单 — delivery (issue 20): some finished orders of the demo county were served through a
// linked, completed event with confirmed hours (so 服务人次 on /stats means something), carry a progress
// note and a 结项 report; one was closed without an event, with its reason. Idempotent (skips when any
// progress note exists: 普法讲座 events serve their lecture orders from the earlier seed).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { writeBatch, type Statement } from './write.ts';
import { formatDate, fromShanghai, shanghaiDay } from '../src/lib/time.ts';

const NOTES = ['已电话联系群众，约好上门时间，队员按时到达。', '第一次上门已完成，下周再去一次收尾。', '材料已备齐，服务按计划进行。'];

/** The first 09:10 or 15:10 Beijing at or after `at`. */
function firstSlotAfter(at: number): number {
  const day = shanghaiDay(at);
  const slots = [fromShanghai(day, '09:10'), fromShanghai(day, '15:10'), fromShanghai(shanghaiDay(at + 86400_000), '09:10')];
  return slots.find((t) => t >= at)!;
}

/** Links events, hours, a progress note and the 结项 report to the demo county's finished orders (dated from the orders' own timestamps). */
export async function seedOrderDelivery(db: Db): Promise<void> {
  const [{ n }] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM service_order_notes`);
  if (Number(n) > 0) return;
  const orders = await db.all<{ id: number; team_id: number; item: string; village: string | null; town_id: number; village_id: number; dispatched_at: number; done_at: number }>(
    sql`SELECT o.id, o.team_id, i.name AS item, (SELECT name FROM regions WHERE id = o.village_id) AS village, o.town_id, o.village_id, o.dispatched_at, o.done_at
      FROM service_orders o JOIN service_items i ON i.id = o.item_id
      WHERE o.status IN ('done', 'rated') AND o.team_id IS NOT NULL AND o.tracking_no LIKE 'DD-%-DEMO%' ORDER BY o.created_at`,
  );
  const statements: Statement[] = [];
  for (const [k, o] of orders.entries()) {
    const members = await db.all<{ user_id: number; role: string }>(
      sql`SELECT user_id, role FROM team_members WHERE team_id = ${o.team_id} AND status = 'active' ORDER BY role = 'leader' DESC, user_id LIMIT 4`,
    );
    // Most demo teams list their 队长 by name only: a member then stands in as the one who recorded.
    const leader = members.find((m) => m.role === 'leader' || m.role === 'coleader') ?? members[0];
    const volunteers = members.filter((m) => m !== leader).slice(0, 3);
    const noteAt = o.dispatched_at + 4 * 3600_000;
    if (leader)
      statements.push(
        sql`INSERT INTO service_order_notes (order_id, team_id, author_id, body, to_resident, note_key, created_at)
          VALUES (${o.id}, ${o.team_id}, ${leader.user_id}, ${NOTES[k % NOTES.length]}, ${k % 2}, ${`demo-note-${o.id}`}, ${noteAt})`,
        sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${o.id}, ${noteAt}, 'progress', ${k % 2 ? `服务进展：${NOTES[k % NOTES.length]}` : '服务进展已更新'})`,
      );
    // The last finished order was a phone consultation: closed without an event, with the reason.
    if (k === orders.length - 1 || !leader || !volunteers.length) {
      statements.push(sql`UPDATE service_orders SET served_volunteers = 1, beneficiaries = 1, hours_recorded = 0, no_event_reason = '电话咨询当场解答，无需组织活动' WHERE id = ${o.id}`);
      continue;
    }
    // The event at the first 09:10 or 15:10 Beijing after the progress note, two hours long: it ends at most
    // a day after dispatch, so before the order was done (done_at, the hours' 审核时间) whatever the hour the
    // seed ran at (the day after dispatch at 15:10 ended after done_at when the seed ran early in the day).
    const startsAt = firstSlotAfter(noteAt);
    const endsAt = startsAt + 2 * 3600_000;
    const secret = `demo-order-event-${o.id}`;
    const eventId = sql`(SELECT id FROM events WHERE checkin_secret = ${secret})`;
    statements.push(
      sql`INSERT INTO events (team_id, title, category, description, town_id, village_id, address, starts_at, ends_at, capacity, status, checkin_secret, service_order_id, created_by, created_at, updated_at)
        VALUES (${o.team_id}, ${`${o.item}（${o.village ?? ''}）`.slice(0, 60)}, '其他', '承接群众点单。服务对象的详细地址和联系方式只有本队队长、副队长掌握。',
          ${o.town_id}, ${o.village_id}, ${o.village ?? ''}, ${startsAt}, ${endsAt}, 5, 'completed', ${secret}, ${o.id}, ${leader.user_id}, ${o.dispatched_at}, ${o.done_at})`,
      sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${o.id}, ${o.dispatched_at + 3600_000}, 'event', ${`已安排志愿服务活动：${formatDate(startsAt)}`})`,
    );
    for (const v of volunteers)
      statements.push(sql`INSERT INTO hour_records (user_id, team_id, event_id, source, starts_at, ends_at, minutes, content, status, reviewer_id, reviewed_at, created_by, created_at)
        SELECT ${v.user_id}, ${o.team_id}, ${eventId}, 'leader', ${startsAt}, ${endsAt}, 120, ${`点单服务：${o.item}`}, 'confirmed', ${leader.user_id}, ${o.done_at}, ${leader.user_id}, ${o.done_at}
        WHERE NOT EXISTS (SELECT 1 FROM hour_records h WHERE h.user_id = ${v.user_id} AND h.status = 'confirmed' AND h.starts_at < ${endsAt} AND h.ends_at > ${startsAt})`);
    statements.push(sql`UPDATE service_orders SET served_volunteers = ${volunteers.length}, beneficiaries = ${1 + (k % 3)}, hours_recorded = 1 WHERE id = ${o.id}`);
  }
  if (statements.length) await writeBatch(db, statements);
}
