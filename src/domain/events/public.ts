// Public reads of events.
import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { preparedOnce } from '../../../db/prepared.ts';
import { events, regions, signups, teams } from '../../../db/schema/index.ts';
import { alias } from 'drizzle-orm/sqlite-core';
import { labelSignup } from './signups.ts';

export type EventRow = typeof events.$inferSelect;

/** Published events: upcoming (soonest first) or past (latest first). */
export async function listPublicEvents(db: Db, f: { when?: 'upcoming' | 'past'; category?: string; townId?: number; limit?: number; offset?: number } = {}) {
  const now = Date.now();
  const where: SQL[] = [sql`${events.status} IN ('published','completed')`];
  if (f.when === 'past') where.push(lt(events.endsAt, now));
  else where.push(gte(events.endsAt, now));
  if (f.category) where.push(eq(events.category, f.category));
  if (f.townId) where.push(eq(events.townId, f.townId));
  return db
    .select({ event: events, teamName: teams.name, teamSlug: teams.slug })
    .from(events)
    .innerJoin(teams, eq(teams.id, events.teamId))
    .where(and(...where))
    .orderBy(f.when === 'past' ? desc(events.startsAt) : asc(events.startsAt))
    .limit(f.limit ?? 30)
    .offset(f.offset ?? 0);
}

/** One event that the public may see (the .ics file and check-in; the event page uses getEventPage). */
export async function getPublicEvent(db: Db, id: number) {
  const [row] = await db
    .select({ event: events, teamName: teams.name, teamSlug: teams.slug })
    .from(events)
    .innerJoin(teams, eq(teams.id, events.teamId))
    .where(and(eq(events.id, id), sql`${events.status} IN ('published','completed','cancelled')`));
  return row;
}

const town = alias(regions, 'town');
const village = alias(regions, 'village');
const eventPageQuery = preparedOnce((db) => db
  .select({
    event: events, teamName: teams.name, teamSlug: teams.slug, townName: town.name, villageName: village.name, mine: signups,
    leads: sql<number>`EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ${events.teamId} AND m.user_id = ${sql.placeholder('uid')} AND m.status = 'active' AND m.role IN ('leader', 'coleader'))`,
  })
  .from(events)
  .innerJoin(teams, eq(teams.id, events.teamId))
  .leftJoin(town, eq(town.id, events.townId))
  .leftJoin(village, eq(village.id, events.villageId))
  .leftJoin(signups, and(eq(signups.eventId, events.id), eq(signups.userId, sql.placeholder('uid'))))
  .where(and(eq(events.id, sql.placeholder('id')), sql`${events.status} IN ('published','completed','cancelled')`))
  .prepare());

/**
 * Everything the event page shows, in one statement: the event, its team, town and village
 * names, and for a signed-in viewer their sign-up (with waitlist position) and whether they
 * lead the team. The page is re-rendered for every refused sign-up, so this stays one query.
 */
export async function getEventPage(db: Db, id: number, viewer: { id: number; status: string } | null) {
  const [r] = await eventPageQuery(db).all({ id, uid: viewer?.id ?? 0 });
  if (!r) return undefined;
  const mine = viewer && r.mine ? await labelSignup(db, r.mine) : undefined;
  return {
    event: r.event, teamName: r.teamName, teamSlug: r.teamSlug, townName: r.townName, villageName: r.villageName, mine,
    leads: !!viewer && viewer.status === 'active' && Boolean(r.leads),
  };
}

/** Seats left (never negative). */
export function seatsLeft(e: Pick<EventRow, 'capacity' | 'confirmedCount'>): number {
  return Math.max(0, e.capacity - e.confirmedCount);
}
