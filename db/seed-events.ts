// Demo data for teams and events (issue 4): seat counts recomputed from sign-ups, a pending
// join request and a pending team registration for the leader/admin to act on, a full event
// with a waitlist, and welcome notices so the inbox is not empty.
import type { Db } from './client.ts';
import { fromShanghai, shanghaiDay } from '../src/lib/time.ts';

/** Adds the teams/events demo on top of seedDemo's teams, events and accounts. */
export async function seedEventsDemo(db: Db, now = Date.now()): Promise<void> {
  const c = db.$client;
  const id = async (sql: string, args: (string | number)[] = []) => {
    const rs = await c.execute({ sql, args });
    return rs.rows[0] ? Number(rs.rows[0].id) : undefined;
  };
  const leader = await id(`SELECT id FROM users WHERE phone = '13900000005'`);
  const volunteer = await id(`SELECT id FROM users WHERE phone = '13900000006'`);
  const team = await id(`SELECT id FROM teams WHERE slug = 'chengguan-red-vest'`);
  // Seats follow the seat-holding sign-ups (the triggers keep them in step from now on).
  await c.execute(`UPDATE events SET confirmed_count = (SELECT count(*) FROM signups s WHERE s.event_id = events.id AND s.status IN ('confirmed','attended','no_show'))`);
  if (!leader || !team) return;
  // A volunteer not yet in the leader's team asks to join.
  const applicant = await id(`SELECT u.id FROM users u WHERE u.phone LIKE '137%' AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.team_id = ?) ORDER BY u.id LIMIT 1`, [team]);
  if (applicant)
    await c.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'member', 'pending', ?) ON CONFLICT DO NOTHING`, args: [team, applicant, now] });
  // A new team waiting for the admin.
  const town = await id(`SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1`);
  const founder = await id(`SELECT id FROM users WHERE phone LIKE '137%' ORDER BY id DESC LIMIT 1`);
  await c.execute({
    sql: `INSERT INTO teams (slug, name, town_id, service_types, summary, description, status, created_by, created_at)
          VALUES ('qingxi-youth', '清溪青年志愿服务队', ?, '["环境保护","文明劝导"]', '清溪沿岸青年自发组建的河道守护队伍', '每月组织河道巡查和垃圾清理。', 'pending', ?, ?) ON CONFLICT DO NOTHING`,
    args: [town ?? null, founder ?? leader, now],
  });
  // A small upcoming event of the leader's team, full, with two on the waitlist.
  const day = 86400_000;
  const startsAt = fromShanghai(shanghaiDay(now + 3 * day), '09:00');
  const ev = await id(
    `INSERT INTO events (team_id, town_id, title, category, description, risks, address, starts_at, ends_at, capacity, waitlist_enabled, status, checkin_secret, created_by, created_at)
    VALUES (?, (SELECT town_id FROM teams WHERE id = ?), '城关社区防诈骗宣传摆摊', '法治宣传', '在社区广场摆摊发放反诈宣传资料，讲解常见电信诈骗手法。', '户外活动，注意防晒。', '城关镇文化广场', ?, ?, 3, 1, 'published', lower(hex(randomblob(20))), ?, ?) RETURNING id`,
    [team, team, startsAt, startsAt + 2 * 3600_000, leader, now],
  );
  const members = (
    await c.execute({ sql: `SELECT user_id FROM team_members WHERE team_id = ? AND status = 'active' AND user_id NOT IN (?, ?) ORDER BY user_id LIMIT 5`, args: [team, leader, volunteer ?? 0] })
  ).rows.map((r) => Number(r.user_id));
  if (ev) {
    let seq = 0;
    for (const uid of members) {
      seq++;
      await c.execute({ sql: `INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, ?, ?, ?)`, args: [ev, uid, seq <= 3 ? 'confirmed' : 'waitlisted', seq, now] });
    }
  }
  if (volunteer) {
    await c.execute({
      sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at) VALUES (?, 'welcome', '欢迎加入云溪善行', '在“志愿活动”中选择感兴趣的活动报名，报名成功后会收到站内信。', '/events', ?)`,
      args: [volunteer, now],
    });
  }
}
