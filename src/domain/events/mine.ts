// A volunteer's own events: /me/events lists, the private calendar feed token.
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { events, signups, teams, users } from '../../../db/schema/index.ts';
import { randomToken } from '../../lib/ids.ts';
import { waitlistPositionSql } from './signups.ts';
import { calendarEntry, renderCalendar } from './ics.ts';
import { regionNames } from '../regions/index.ts';

/** Upcoming (soonest first) and past (latest first) sign-ups of a user with their status; a waitlisted one with its position, in the same query. */
export async function myEvents(db: Db, userId: number, now = Date.now()) {
  const position = sql<number | null>`CASE WHEN ${signups.status} = 'waitlisted' THEN ${sql.raw(waitlistPositionSql('"signups"."event_id"', '"signups"."seq"'))} END`;
  const cols = { signup: signups, event: events, teamName: teams.name, teamSlug: teams.slug, position };
  const base = () => db.select(cols).from(signups).innerJoin(events, eq(events.id, signups.eventId)).innerJoin(teams, eq(teams.id, events.teamId));
  const upcoming = await base()
    .where(and(eq(signups.userId, userId), gte(events.endsAt, now)))
    .orderBy(asc(events.startsAt))
    .limit(100);
  const past = await base()
    .where(and(eq(signups.userId, userId), lt(events.endsAt, now)))
    .orderBy(desc(events.startsAt))
    .limit(100);
  return { upcoming, past };
}

/**
 * Events of the user holding this calendar token that they hold a seat for; undefined for an unknown
 * token. A cancelled event stays in the feed (marked CANCELLED by renderCalendar): a subscribed
 * calendar that simply stops seeing an event may keep showing it (issue 19, item 6).
 */
export async function calendarFeed(db: Db, token: string) {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return undefined;
  const [u] = await db
    .select({ id: users.id, realName: users.realName })
    .from(users)
    .where(and(eq(users.calendarToken, token), eq(users.status, 'active')));
  if (!u) return undefined;
  const rows = await db
    .select({ event: events })
    .from(signups)
    .innerJoin(events, eq(events.id, signups.eventId))
    .where(
      and(
        eq(signups.userId, u.id),
        sql`${signups.status} IN ('confirmed','attended')`,
        sql`${events.status} IN ('published','completed','cancelled')`,
        gte(events.endsAt, Date.now() - 90 * 86400_000),
      ),
    )
    .orderBy(asc(events.startsAt))
    .limit(500);
  return { user: u, events: rows.map((r) => r.event) };
}

/** The private feed as served at /calendar/<token>.ics; undefined for an unknown or revoked token. */
export async function privateCalendarIcs(db: Db, token: string, siteUrl: string, now = Date.now()): Promise<string | undefined> {
  const feed = await calendarFeed(db, token);
  if (!feed) return undefined;
  const names = await regionNames(
    db,
    feed.events.flatMap((e) => [e.townId, e.villageId]),
  );
  return renderCalendar(
    feed.events.map((e) => calendarEntry(e, names, siteUrl)),
    { host: new URL(siteUrl).hostname, name: '我的志愿活动', now },
  );
}

/** The user's calendar token, if a feed is on. */
export async function calendarToken(db: Db, userId: number): Promise<string | null> {
  const [u] = await db.select({ t: users.calendarToken }).from(users).where(eq(users.id, userId));
  return u?.t ?? null;
}

/** Creates a new calendar token (the old feed URL stops working). */
export async function regenerateCalendarToken(db: Db, userId: number): Promise<string> {
  const token = randomToken(20);
  await db.update(users).set({ calendarToken: token }).where(eq(users.id, userId));
  return token;
}

/** Turns the private feed off. */
export async function revokeCalendarToken(db: Db, userId: number): Promise<void> {
  await db.update(users).set({ calendarToken: null }).where(eq(users.id, userId));
}
