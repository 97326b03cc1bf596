// Small fixtures for hours tests: users, teams and events inserted directly (no password hashing).
import type { Db } from '../../db/client.ts';

let serial = 0;

/** Inserts a user and returns its id. */
export async function makeUser(db: Db, name = '测试志愿者'): Promise<number> {
  serial++;
  const rs = await db.$client.execute({
    sql: `INSERT INTO users (phone, real_name, id_type, id_number_masked, volunteer_no, created_at) VALUES (?, ?, '居民身份证', '5101**********123X', ?, ?) RETURNING id`,
    args: [`135${String(serial).padStart(8, '0')}`, name, `YXT${String(serial).padStart(8, '0')}`, Date.now()],
  });
  return Number(rs.rows[0].id);
}

/** Inserts an active team and returns its id. */
export async function makeTeam(db: Db, name = '测试队'): Promise<number> {
  serial++;
  const rs = await db.$client.execute({
    sql: `INSERT INTO teams (slug, name, status, leader_name, contact_phone, created_at) VALUES (?, ?, 'active', '队长甲', '0838-7654321', ?) RETURNING id`,
    args: [`team-${serial}-${Math.floor(Math.random() * 1e9)}`, name, Date.now()],
  });
  return Number(rs.rows[0].id);
}

/** Adds an active member (role member/leader). */
export async function addMember(db: Db, teamId: number, userId: number, role: 'member' | 'leader' = 'member'): Promise<void> {
  await db.$client.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, ?, 'active', ?)`, args: [teamId, userId, role, Date.now()] });
}

/** Inserts an event and returns its id. */
export async function makeEvent(db: Db, teamId: number, startsAt: number, endsAt: number, title = '社区清扫'): Promise<number> {
  const rs = await db.$client.execute({
    sql: `INSERT INTO events (team_id, title, category, starts_at, ends_at, capacity, status, created_at) VALUES (?, ?, '环境保护', ?, ?, 30, 'completed', ?) RETURNING id`,
    args: [teamId, title, startsAt, endsAt, Date.now()],
  });
  return Number(rs.rows[0].id);
}

/** Inserts a sign-up with optional check-in/out. */
export async function makeSignup(db: Db, eventId: number, userId: number, status: string, checkinAt: number | null = null, checkoutAt: number | null = null): Promise<number> {
  const rs = await db.$client.execute({
    sql: `INSERT INTO signups (event_id, user_id, status, seq, checkin_at, checkout_at, created_at) VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM signups WHERE event_id = ?), ?, ?, ?) RETURNING id`,
    args: [eventId, userId, status, eventId, checkinAt, checkoutAt, Date.now()],
  });
  return Number(rs.rows[0].id);
}

/** Row count for a WHERE clause. */
export async function count(db: Db, sql: string, args: (string | number)[] = []): Promise<number> {
  const rs = await db.$client.execute({ sql: `SELECT count(*) AS n FROM ${sql}`, args });
  return Number(rs.rows[0].n);
}
