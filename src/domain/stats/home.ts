// Headline figures for the home page.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { publicHonoree } from '../honors/public.ts';

/** 注册志愿者 (staff accounts not counted, ./volunteers.ts; kept in stats_volunteers_town), 志愿队伍, 累计服务时长 (minutes), 好人榜上榜人数, 本年普法讲座场次 and 受教育人次 (stats_lectures, docs/decisions/106). */
export async function homeFigures(db: Db, now = Date.now()) {
  const year = shanghaiDay(now).slice(0, 4);
  const [r] = await db.all<Record<string, unknown>>(sql`SELECT
    (SELECT coalesce(sum(n), 0) FROM stats_volunteers_town) AS volunteers,
    (SELECT count(*) FROM teams WHERE status = 'active') AS teams,
    (SELECT coalesce(sum(minutes), 0) FROM stats_hours_monthly) AS minutes,
    (SELECT coalesce(sum(n), 0) FROM stats_honorees) AS honorees,
    (SELECT coalesce(sum(sessions), 0) FROM stats_lectures WHERE year >= ${year}) AS lectures,
    (SELECT coalesce(sum(audience), 0) FROM stats_lectures WHERE year >= ${year}) AS audience`);
  return {
    volunteers: Number(r.volunteers),
    teams: Number(r.teams),
    minutes: Number(r.minutes),
    honorees: Number(r.honorees),
    lecturesThisYear: Number(r.lectures),
    audienceThisYear: Number(r.audience),
  };
}

/** Candidates currently in 公示 (status candidate in a batch under publicity), most liked first, as the public sees them. */
export async function publicityCandidates(db: Db, limit = 6) {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT h.id, h.slug, h.name, h.name_consent AS nameConsent, h.kind, h.epithet, h.category, h.level, h.summary, h.like_count AS likeCount,
      b.title AS batchTitle, b.slug AS batchSlug, b.publicity_ends_at AS publicityEndsAt
    FROM honorees h JOIN honor_batches b ON b.id = h.batch_id
    WHERE h.status = 'candidate' AND b.status = 'publicity'
    ORDER BY b.publicity_ends_at, h.like_count DESC, h.id LIMIT ${limit}`);
  return rows.map((r) =>
    publicHonoree({
      id: Number(r.id),
      slug: String(r.slug),
      name: String(r.name),
      nameConsent: Boolean(r.nameConsent),
      kind: String(r.kind),
      epithet: r.epithet == null ? null : String(r.epithet),
      category: String(r.category),
      level: String(r.level),
      summary: String(r.summary),
      likeCount: Number(r.likeCount),
      batchTitle: String(r.batchTitle),
      batchSlug: String(r.batchSlug),
      publicityEndsAt: r.publicityEndsAt == null ? null : Number(r.publicityEndsAt),
    }),
  );
}
