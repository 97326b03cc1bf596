// Shared helpers for the publishing tests: a SessionUser for a demo phone.
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';

/** The signed-in shape of the demo user with this phone. */
export async function staff(db: Db, phone: string): Promise<SessionUser> {
  const u = await db.$client.execute({ sql: 'SELECT id, real_name, phone, status FROM users WHERE phone = ?', args: [phone] });
  if (!u.rows.length) throw new Error(`no user ${phone}`);
  const r = await db.$client.execute({ sql: 'SELECT role FROM user_roles WHERE user_id = ?', args: [u.rows[0].id] });
  return { id: Number(u.rows[0].id), realName: String(u.rows[0].real_name), phone, status: String(u.rows[0].status), roles: r.rows.map((x) => String(x.role)) };
}

export const EDITOR = '13900000002';
export const REVIEWER1 = '13900000003';
export const REVIEWER2 = '13900000004';

/**
 * A 普法讲座 order as a row (a service order of the lecture item, docs/decisions/101), for tests that need
 * one in a given state without walking the loop. Returns its id.
 */
export async function insertLectureOrder(
  db: Db,
  o: { trackingNo: string; topic: string; status?: string; audienceActual?: number | null; doneAt?: number | null; photoFileIds?: number[]; townId?: number },
): Promise<number> {
  const r = await db.$client.execute({
    sql: `INSERT INTO service_orders (tracking_no, item_id, requester_name, requester_phone, town_id, village_id, address, need, status, done_at, lecture, created_at)
      VALUES (?, (SELECT id FROM service_items WHERE kind = 'lecture' LIMIT 1), '张三', '13800000000', ?, 0, '', '', ?, ?, ?, ?) RETURNING id`,
    args: [
      o.trackingNo,
      o.townId ?? 0,
      o.status ?? 'new',
      o.doneAt ?? null,
      JSON.stringify({
        topic: o.topic,
        audienceType: '',
        audienceExpected: 50,
        audienceActual: o.audienceActual ?? null,
        organisation: null,
        lecturerId: null,
        photoFileIds: o.photoFileIds ?? [],
        handledBy: null,
        legacyId: null,
      }),
      Date.now(),
    ],
  });
  return Number(r.rows[0].id);
}
