// Public reads of events.
import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { preparedOnce } from '../../../db/prepared.ts';
import { events, teams } from '../../../db/schema/index.ts';

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

const publicEventQuery = preparedOnce((db) => db
  .select({ event: events, teamName: teams.name, teamSlug: teams.slug })
  .from(events)
  .innerJoin(teams, eq(teams.id, events.teamId))
  .where(and(eq(events.id, sql.placeholder('id')), sql`${events.status} IN ('published','completed','cancelled')`))
  .prepare());

/** One event that the public may see (prepared once: the event page is re-rendered for every refused sign-up). */
export async function getPublicEvent(db: Db, id: number) {
  const [row] = await publicEventQuery(db).all({ id });
  return row;
}

/** Seats left (never negative). */
export function seatsLeft(e: Pick<EventRow, 'capacity' | 'confirmedCount'>): number {
  return Math.max(0, e.capacity - e.confirmedCount);
}
