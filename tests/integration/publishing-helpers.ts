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
