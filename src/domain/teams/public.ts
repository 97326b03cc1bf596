// Public reads of volunteer teams.
import { and, asc, desc, eq, gte, like, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { events, teams } from '../../../db/schema/index.ts';

export type Team = typeof teams.$inferSelect;

/** Active teams, optionally by town and service type, with upcoming event counts. */
export async function listActiveTeams(db: Db, f: { townId?: number; serviceType?: string; limit?: number } = {}) {
  const where: SQL[] = [eq(teams.status, 'active')];
  if (f.townId) where.push(eq(teams.townId, f.townId));
  if (f.serviceType) where.push(like(teams.serviceTypes, `%"${f.serviceType.replace(/["%_]/g, '')}"%`));
  const now = Date.now();
  // The home page shows six: with a LIMIT, SQLite counts upcoming events for those six only, not for every
  // team of the county (18 ms at 400 teams, growing with them; issue 22).
  return db
    .select({
      team: teams,
      // `teams.id` spelled out: Drizzle writes a bare "id" in a one-table select, which inside the subquery would mean e.id.
      upcoming: sql<number>`(SELECT count(*) FROM ${events} e WHERE e.team_id = teams.id AND e.status = 'published' AND e.starts_at >= ${now})`,
    })
    .from(teams)
    .where(and(...where))
    .orderBy(desc(teams.confirmedMinutes), asc(teams.id))
    .limit(f.limit ?? -1);
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
