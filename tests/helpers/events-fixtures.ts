// Fast fixtures for team/event tests: rows inserted directly (no argon2).
import type { Db } from '../../db/client.ts';
import { sealBirthDate } from '../../src/domain/accounts/birth-dates.ts';
import { TEST_KEY } from './db.ts';

let phoneSerial = 0;

/** Inserts n active volunteers (adults unless birthDate given, sealed with TEST_KEY as the app does); returns their ids in order. */
export async function insertUsers(db: Db, n: number, opts: { birthDate?: string; skills?: string[]; prefix?: string } = {}): Promise<number[]> {
  const now = Date.now();
  const stmts = [];
  const base = (opts.prefix ?? '150') + String(process.pid % 1000).padStart(3, '0');
  for (let i = 0; i < n; i++) {
    const phone = base + String(++phoneSerial).padStart(5, '0');
    stmts.push({
      sql: `INSERT INTO users (phone, real_name, birth_date_enc, skills, status, created_at) VALUES (?, ?, ?, ?, 'active', ?) RETURNING id`,
      args: [phone, `测试${phoneSerial}`, sealBirthDate(TEST_KEY, opts.birthDate ?? '1990-05-01'), JSON.stringify(opts.skills ?? []), now],
    });
  }
  const ids: number[] = [];
  for (let i = 0; i < stmts.length; i += 200) {
    const rs = await db.$client.batch(stmts.slice(i, i + 200), 'write');
    for (const r of rs) ids.push(Number(r.rows[0].id));
  }
  await db.$client.batch(
    ids.map((id) => ({ sql: `INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'volunteer', ?)`, args: [id, now] })),
    'write',
  );
  return ids;
}

/** Inserts an active team led by leaderId; returns its id. */
export async function insertTeam(db: Db, leaderId: number, slug = `team-${Math.random().toString(36).slice(2, 8)}`): Promise<number> {
  const rs = await db.$client.execute({ sql: `INSERT INTO teams (slug, name, status, created_at) VALUES (?, ?, 'active', ?) RETURNING id`, args: [slug, `测试队伍${slug}`, Date.now()] });
  const teamId = Number(rs.rows[0].id);
  await db.$client.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'leader', 'active', ?)`, args: [teamId, leaderId, Date.now()] });
  return teamId;
}

/** Inserts a published event; returns its id. */
export async function insertEvent(
  db: Db,
  teamId: number,
  o: Partial<{
    title: string;
    capacity: number;
    waitlist: boolean;
    startsAt: number;
    endsAt: number;
    dangerous: boolean;
    insurance: string;
    minAge: number;
    membersOnly: boolean;
    skill: string;
    status: string;
  }> = {},
): Promise<number> {
  const startsAt = o.startsAt ?? Date.now() + 7 * 86400_000;
  const rs = await db.$client.execute({
    sql: `INSERT INTO events (team_id, title, category, starts_at, ends_at, capacity, waitlist_enabled, dangerous, insurance_policy, min_age, members_only, required_skill, status, checkin_secret, created_at)
          VALUES (?, ?, '其他', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'secret-for-tests', ?) RETURNING id`,
    args: [
      teamId,
      o.title ?? '测试活动',
      startsAt,
      o.endsAt ?? startsAt + 2 * 3600_000,
      o.capacity ?? 20,
      (o.waitlist ?? true) ? 1 : 0,
      o.dangerous ? 1 : 0,
      o.insurance ?? null,
      o.minAge ?? null,
      o.membersOnly ? 1 : 0,
      o.skill ?? null,
      o.status ?? 'published',
      Date.now(),
    ],
  });
  return Number(rs.rows[0].id);
}

/** A volunteer's sign-up for an event with its Chinese label, as the event page shows it, if any. */
export async function labelledSignup(db: Db, eventId: number, userId: number) {
  const { getEventPage } = await import('../../src/domain/events/public.ts');
  return (await getEventPage(db, eventId, { id: userId, status: 'active' }))?.mine;
}
