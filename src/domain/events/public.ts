// Public reads of events.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { tableColumns } from '../../../db/rows.ts';
import { events, signups, teams } from '../../../db/schema/index.ts';
import { compile } from '../../../db/write.ts';
import { leadsTeamSql } from '../accounts/policy.ts';
import { signupLabel, waitlistPositionSql } from './signups.ts';
import { publicContactColumnsSql, publicContactJoinSql, publicContactOf } from '../teams/contact.ts';

export type EventRow = typeof events.$inferSelect;

/**
 * Published events a page at a time: upcoming (not yet ended, soonest start first) or past (latest ended first).
 * The page's ids are chosen from a partial index that holds every column the filter, the order and the count
 * read (db/schema/events.ts events_public_end, events_public_category), named with INDEXED BY so no planner
 * statistics can send it back to sorting every past event; only the chosen rows are then read whole. At a
 * prefecture's 50,000 events a page of 往期活动 went from ~300 ms to ~1 ms (issue 22).
 */
export async function listPublicEvents(db: Db, f: { when?: 'upcoming' | 'past'; category?: string; page?: number; perPage?: number; withTotal?: boolean } = {}) {
  const now = Date.now();
  const past = f.when === 'past';
  const perPage = f.perPage ?? 30;
  const page = Math.max(1, f.page ?? 1);
  const from = f.category ? sql`events INDEXED BY events_public_category` : sql`events INDEXED BY events_public_end`;
  // The text of the status term is the indexes' own WHERE: SQLite uses a partial index only when the query says so.
  const where = sql`status IN ('published','completed') AND ${f.category ? sql`category = ${f.category} AND ` : sql``}${past ? sql`ends_at < ${now}` : sql`ends_at >= ${now}`}`;
  // The id breaks ties between events at the same minute, so pages neither skip nor repeat one.
  const inner = past ? sql`ends_at DESC, starts_at DESC, id DESC` : sql`starts_at, id`;
  const order = past ? [desc(events.endsAt), desc(events.startsAt), desc(events.id)] : [asc(events.startsAt), asc(events.id)];
  const items = await db
    .select({ event: events, teamName: teams.name, teamSlug: teams.slug })
    .from(events)
    .innerJoin(teams, eq(teams.id, events.teamId))
    .where(sql`${events.id} IN (SELECT id FROM ${from} WHERE ${where} ORDER BY ${inner} LIMIT ${perPage} OFFSET ${(page - 1) * perPage})`)
    .orderBy(...order);
  const total = f.withTotal === false ? items.length : Number((await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${from} WHERE ${where}`))?.n ?? 0);
  return { items, total, page, perPage, pages: Math.max(1, Math.ceil(total / perPage)) };
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

const eventCols = tableColumns(events, 'e', 'e_');
const signupCols = tableColumns(signups, 's', 's_');
const EVENT_PAGE_SQL = `SELECT ${eventCols.select}, t.name AS team_name, t.slug AS team_slug, town.name AS town_name, village.name AS village_name,
       ${signupCols.select}, CASE WHEN s.status = 'waitlisted' THEN ${waitlistPositionSql('s.event_id', 's.seq')} END AS s_position,
       ${compile(leadsTeamSql(sql.raw('e.team_id'), sql.raw(':uid'))).sql} AS leads,
       ${compile(publicContactColumnsSql('t', 'contact_user')).sql}
  FROM events e JOIN teams t ON t.id = e.team_id
  ${compile(publicContactJoinSql('t', 'contact_user')).sql}
  LEFT JOIN regions town ON town.id = e.town_id
  LEFT JOIN regions village ON village.id = e.village_id
  LEFT JOIN signups s ON s.event_id = e.id AND s.user_id = :uid
 WHERE e.id = :id AND e.status IN ('published','completed','cancelled')`;

/**
 * Everything the event page shows, in one statement: the event, its team (with the number it
 * publishes), town and village names, and for a signed-in viewer their sign-up (with its waitlist position) and whether they
 * lead the team. The page is re-rendered for every refused sign-up, so this stays one fixed SQL
 * text run by the client itself, read back with db/rows.ts (Drizzle's row mapping cost more than the
 * query; docs/decisions/074, measured again in 084).
 */
export async function getEventPage(db: Db, id: number, viewer: { id: number; status: string } | null) {
  const rs = await db.$client.execute({ sql: EVENT_PAGE_SQL, args: { id, uid: viewer?.id ?? 0 } });
  const r = rs.rows[0] as Record<string, unknown> | undefined;
  if (!r) return undefined;
  const event = eventCols.read(r)!;
  const signup = viewer ? signupCols.read(r) : null;
  const position = r.s_position == null ? undefined : Number(r.s_position);
  const mine = signup ? { ...signup, position, label: signupLabel(signup.status, position) } : undefined;
  return {
    event,
    teamName: String(r.team_name),
    teamSlug: String(r.team_slug),
    townName: r.town_name == null ? null : String(r.town_name),
    villageName: r.village_name == null ? null : String(r.village_name),
    mine,
    leads: !!viewer && viewer.status === 'active' && Boolean(Number(r.leads)),
    /** The number the team chose to publish (issue 18, item 8), read here rather than by a second statement. */
    contact: publicContactOf(r),
  };
}

/** What getEventPage reads: the event, its team and place, and the viewer's own sign-up and role. */
export type EventPage = NonNullable<Awaited<ReturnType<typeof getEventPage>>>;

/** Seats left (never negative). */
export function seatsLeft(e: Pick<EventRow, 'capacity' | 'confirmedCount'>): number {
  return Math.max(0, e.capacity - e.confirmedCount);
}
