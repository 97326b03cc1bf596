// Headline figures for the home page.
import type { Db } from '../../../db/client.ts';

/** 注册志愿者, 志愿队伍, 累计服务时长 (minutes), 好人榜上榜人数. */
export async function homeFigures(db: Db) {
  const rs = await db.$client.execute(`SELECT
    (SELECT count(*) FROM users WHERE status = 'active') AS volunteers,
    (SELECT count(*) FROM teams WHERE status = 'active') AS teams,
    (SELECT coalesce(sum(confirmed_minutes), 0) FROM teams) AS minutes,
    (SELECT count(*) FROM honorees WHERE status = 'published') AS honorees`);
  const r = rs.rows[0];
  return { volunteers: Number(r.volunteers), teams: Number(r.teams), minutes: Number(r.minutes), honorees: Number(r.honorees) };
}
