// Public reads of volunteer teams.
import { and, asc, desc, eq, gte, like, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { events, teams } from '../../../db/schema/index.ts';

export type Team = typeof teams.$inferSelect;

/**
 * Active teams, most hours served first, a page at a time (a prefecture has 4,000: one list of them all was
 * 1.4 MB). teams_status_minutes holds that order, so a page reads its own entries, and SQLite counts upcoming
 * events for the page's teams only (issue 22).
 */
export async function listActiveTeams(db: Db, f: { townId?: number; serviceType?: string; page?: number; perPage?: number; withTotal?: boolean } = {}) {
  const where: SQL[] = [eq(teams.status, 'active')];
  if (f.townId) where.push(eq(teams.townId, f.townId));
  if (f.serviceType) where.push(like(teams.serviceTypes, `%"${f.serviceType.replace(/["%_]/g, '')}"%`));
  const now = Date.now();
  const perPage = f.perPage ?? 30;
  const page = Math.max(1, f.page ?? 1);
  const items = await db
    .select({
      team: teams,
      // `teams.id` spelled out: Drizzle writes a bare "id" in a one-table select, which inside the subquery would mean e.id.
      upcoming: sql<number>`(SELECT count(*) FROM ${events} e WHERE e.team_id = teams.id AND e.status = 'published' AND e.starts_at >= ${now})`,
    })
    .from(teams)
    .where(and(...where))
    .orderBy(desc(teams.confirmedMinutes), asc(teams.id))
    .limit(perPage)
    .offset((page - 1) * perPage);
  const total =
    f.withTotal === false
      ? items.length
      : Number(
          (
            await db
              .select({ n: sql<number>`count(*)` })
              .from(teams)
              .where(and(...where))
          )[0]?.n ?? 0,
        );
  return { items, total, page, perPage, pages: Math.max(1, Math.ceil(total / perPage)) };
}

/** One active team by slug. */
export async function getActiveTeam(db: Db, slug: string): Promise<Team | undefined> {
  const [t] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.slug, slug), eq(teams.status, 'active')));
  return t;
}

/** A team's published events: upcoming (soonest first) and past (latest first). */
export async function teamEvents(db: Db, teamId: number) {
  const now = Date.now();
  const upcoming = await db
    .select()
    .from(events)
    .where(and(eq(events.teamId, teamId), eq(events.status, 'published'), gte(events.endsAt, now)))
    .orderBy(asc(events.startsAt))
    .limit(20);
  const past = await db
    .select()
    .from(events)
    .where(and(eq(events.teamId, teamId), sql`${events.status} IN ('published','completed')`, sql`${events.endsAt} < ${now}`))
    .orderBy(desc(events.startsAt))
    .limit(20);
  return { upcoming, past };
}
