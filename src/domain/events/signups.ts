// Sign-ups that never overbook: one guarded INSERT decides confirmed / waitlisted,
// triggers in db/sql/events.sql keep events.confirmed_count and refuse overbooking
// (docs/architecture.md "Writes under contention", docs/decisions/020).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, prepared, writeBatch } from '../../../db/write.ts';
import { leadershipRowSql } from '../accounts/policy.ts';
import { ageOn } from './rules.ts';
import { openBirthDate } from '../accounts/birth-dates.ts';
import { Refusal, type RefusalStatus } from '../refusal.ts';

/** The waitlist position rule as an SQL expression: waitlisted sign-ups of the event arrived no later than seq. */
export function waitlistPositionSql(eventId: string, seq: string): string {
  return `(SELECT count(*) FROM signups w WHERE w.event_id = ${eventId} AND w.status = 'waitlisted' AND w.seq <= ${seq})`;
}

/**
 * "时间：2026/12/05 09:00–11:30（北京时间）；地点：城关镇东门社区 文化广场" for the event row `e`, as an SQL expression:
 * a sign-up notice (and its e-mail copy) is read on the way there, so it carries when and where (issue 18, item 8).
 */
export function eventWhenWhereSql(e: string): string {
  const at = (col: string, fmt: string) => `strftime('${fmt}', (${e}.${col} + 28800000) / 1000, 'unixepoch')`;
  const region = (col: string) => `coalesce((SELECT name FROM regions WHERE id = ${e}.${col}), '')`;
  return `('时间：' || ${at('starts_at', '%Y/%m/%d %H:%M')} || '–' || ${at('ends_at', '%H:%M')} || '（北京时间）；地点：'
    || coalesce(nullif(trim(${region('town_id')} || ${region('village_id')} || ' ' || ${e}.address), ''), '详见活动页面'))`;
}

/** Seat-holding statuses (count against capacity). */
export const SEAT_STATUSES = ['confirmed', 'attended', 'no_show'] as const;

export type SignupErrorCode = 'not_found' | 'closed' | 'full' | 'overlap' | 'not_eligible' | 'removed' | 'started' | 'not_signed_up';

/** A sign-up refused for a reason the volunteer should read. */
const SIGNUP_STATUS: Record<SignupErrorCode, RefusalStatus> = {
  not_found: 'NOT_FOUND',
  full: 'CONFLICT',
  overlap: 'CONFLICT',
  not_eligible: 'FORBIDDEN',
  removed: 'FORBIDDEN',
  closed: 'BAD_REQUEST',
  started: 'BAD_REQUEST',
  not_signed_up: 'BAD_REQUEST',
};

export class SignupError extends Refusal {
  code: SignupErrorCode;
  constructor(code: SignupErrorCode, message: string) {
    super(SIGNUP_STATUS[code], message);
    this.name = 'SignupError';
    this.code = code;
  }
}

/** Where a successful sign-up goes (303): the event page saying 报名成功 or 已加入候补. */
export function signupDonePath(eventId: number, status: SignupResult['status']): string {
  return `/events/${eventId}?done=${status}`;
}

export interface SignupResult {
  id: number;
  status: 'confirmed' | 'waitlisted';
  seq: number;
  /** False when the volunteer was already signed up (idempotent second press). */
  created: boolean;
}

interface EventFacts {
  id: number;
  teamId: number;
  title: string;
  status: string;
  startsAt: number;
  endsAt: number;
  signupOpensAt: number | null;
  signupClosesAt: number | null;
  capacity: number;
  confirmedCount: number;
  waitlistEnabled: boolean;
  dangerous: boolean;
  minAge: number | null;
  membersOnly: boolean;
  requiredSkill: string | null;
  teamStatus: string;
}

async function eventFacts(db: Db, eventId: number): Promise<EventFacts | undefined> {
  const [r] = await db.all<Record<string, unknown>>(sql`SELECT e.id, e.team_id, e.title, e.status, e.starts_at, e.ends_at, e.signup_opens_at, e.signup_closes_at, e.capacity,
      e.confirmed_count, e.waitlist_enabled, e.dangerous, e.min_age, e.members_only, e.required_skill, t.status AS team_status
    FROM events e JOIN teams t ON t.id = e.team_id WHERE e.id = ${eventId}`);
  return r ? toEventFacts(r) : undefined;
}

function toEventFacts(r: Record<string, unknown>): EventFacts {
  return {
    id: Number(r.id),
    teamId: Number(r.team_id),
    title: String(r.title),
    status: String(r.status),
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    signupOpensAt: r.signup_opens_at == null ? null : Number(r.signup_opens_at),
    signupClosesAt: r.signup_closes_at == null ? null : Number(r.signup_closes_at),
    capacity: Number(r.capacity),
    confirmedCount: Number(r.confirmed_count),
    waitlistEnabled: Boolean(r.waitlist_enabled),
    dangerous: Boolean(r.dangerous),
    minAge: r.min_age == null ? null : Number(r.min_age),
    membersOnly: Boolean(r.members_only),
    requiredSkill: r.required_skill == null ? null : String(r.required_skill),
    teamStatus: String(r.team_status),
  };
}

interface UserFacts {
  status: string | null;
  birthDateEnc: string | null;
  skills: string | null;
  member: boolean;
}

/**
 * Why a user may not sign up for an event (age, membership, skill), or null when eligible.
 * The birth date is stored encrypted (decision 077) and opened only for an event with an age rule;
 * without the key the age is unknown, and unknown never passes an age rule.
 */
function eligibilityProblem(e: EventFacts, u: UserFacts, now: number, secretKey?: Buffer): string | null {
  if (u.status !== 'active') return '账号不可用，无法报名';
  const birthDate = e.dangerous || e.minAge ? openBirthDate(secretKey, u.birthDateEnc) : null;
  const age = birthDate ? ageOn(birthDate, now) : null;
  if (e.dangerous && (age == null || age < 18)) return '本活动为高风险活动，未满 18 周岁不能报名';
  if (e.minAge && (age == null || age < e.minAge)) return `本活动要求年满 ${e.minAge} 周岁`;
  if (e.membersOnly && !u.member) return '本活动仅限本队队员报名，请先申请加入队伍';
  if (e.requiredSkill) {
    let skills: string[] = [];
    try {
      skills = JSON.parse(u.skills ?? '[]');
    } catch {
      /* no skills */
    }
    if (!skills.includes(e.requiredSkill)) return `本活动要求具备“${e.requiredSkill}”技能，请在个人资料中填写`;
  }
  return null;
}

// The clash check reads the volunteer's own sign-ups first (`CROSS JOIN` keeps signups outermost, here and
// in SIGNUP_INSERT and overlappingEvent): a volunteer has a handful, while the events that merely end after
// this one starts are thousands in a prefecture, and with an index on events (status, ends_at) and no
// statistics for it the planner walked those instead — 1.8 ms per sign-up at scale 10, twice the storm.
/**
 * Everything a sign-up decision reads, in one statement: the event and its team, the
 * volunteer's existing sign-up, the volunteer (status, age, skills, membership) and a clashing event.
 * Read with the client itself, a fixed SQL text with named values: it is the sign-up storm's one
 * read, and Drizzle's row handling would add to every request (measured in docs/decisions/084).
 */
async function signupFacts(
  db: Db,
  eventId: number,
  userId: number,
): Promise<{ e: EventFacts; existing?: { id: number; status: string; seq: number }; u: UserFacts; overlapTitle: string | null } | undefined> {
  const rs = await db.$client.execute({
    sql: `SELECT e.id, e.team_id, e.title, e.status, e.starts_at, e.ends_at, e.signup_opens_at, e.signup_closes_at, e.capacity,
                 e.confirmed_count, e.waitlist_enabled, e.dangerous, e.min_age, e.members_only, e.required_skill, t.status AS team_status,
                 s.id AS s_id, s.status AS s_status, s.seq AS s_seq, u.status AS u_status, u.birth_date_enc, u.skills,
                 EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = e.team_id AND m.user_id = :uid AND m.status = 'active') AS member,
                 (SELECT o.title FROM signups s2 CROSS JOIN events o ON o.id = s2.event_id
                   WHERE s2.user_id = :uid AND s2.status = 'confirmed' AND o.id <> e.id AND o.status = 'published'
                     AND o.starts_at < e.ends_at AND o.ends_at > e.starts_at
                   ORDER BY o.starts_at LIMIT 1) AS overlap_title
            FROM events e JOIN teams t ON t.id = e.team_id
            LEFT JOIN signups s ON s.event_id = e.id AND s.user_id = :uid
            LEFT JOIN users u ON u.id = :uid
           WHERE e.id = :eid`,
    args: { eid: eventId, uid: userId },
  });
  const r = rs.rows[0];
  if (!r) return undefined;
  return {
    e: toEventFacts(r),
    existing: r.s_id == null ? undefined : { id: Number(r.s_id), status: String(r.s_status), seq: Number(r.s_seq) },
    u: {
      status: r.u_status == null ? null : String(r.u_status),
      birthDateEnc: r.birth_date_enc == null ? null : String(r.birth_date_enc),
      skills: r.skills == null ? null : String(r.skills),
      member: Boolean(Number(r.member)),
    },
    overlapTitle: r.overlap_title == null ? null : String(r.overlap_title),
  };
}

function openProblem(e: EventFacts, now: number): string | null {
  if (e.status !== 'published' || e.teamStatus !== 'active') return '该活动未开放报名';
  if (e.startsAt <= now) return '活动已开始，报名已截止';
  if (e.signupOpensAt != null && e.signupOpensAt > now) return '报名尚未开始';
  if (e.signupClosesAt != null && e.signupClosesAt <= now) return '报名已截止';
  return null;
}

/** The volunteer's confirmed event overlapping this one in time (title), if any. */
export async function overlappingEvent(db: Db, eventId: number, userId: number): Promise<{ id: number; title: string } | undefined> {
  const [r] = await db.all<Record<string, unknown>>(sql`SELECT o.id, o.title FROM signups s2 CROSS JOIN events o ON o.id = s2.event_id, events e
    WHERE e.id = ${eventId} AND s2.user_id = ${userId} AND s2.status = 'confirmed' AND o.id <> e.id AND o.status = 'published'
      AND o.starts_at < e.ends_at AND o.ends_at > e.starts_at
    ORDER BY o.starts_at LIMIT 1`);
  return r ? { id: Number(r.id), title: String(r.title) } : undefined;
}

/** The named values of the prepared sign-up statements. */
const v = { uid: sql.placeholder('uid'), eid: sql.placeholder('eid'), now: sql.placeholder('now') };

/**
 * The sign-up's guarded INSERT: status, seq and every condition are evaluated in one write. A cancelled
 * row of the same volunteer is reused (unique (event_id, user_id)). Compiled once: it is the storm's write.
 */
const SIGNUP_INSERT = prepared<{ uid: number; eid: number; now: number }>(sql`
  INSERT INTO signups (event_id, user_id, status, seq, late_cancel, created_at, updated_at)
  SELECT e.id, ${v.uid},
         CASE WHEN e.confirmed_count < e.capacity THEN 'confirmed' ELSE 'waitlisted' END,
         (SELECT coalesce(max(s.seq), 0) + 1 FROM signups s WHERE s.event_id = e.id),
         0, ${v.now}, ${v.now}
    FROM events e JOIN teams t ON t.id = e.team_id
   WHERE e.id = ${v.eid} AND e.status = 'published' AND t.status = 'active' AND e.starts_at > ${v.now}
     AND (e.signup_opens_at IS NULL OR e.signup_opens_at <= ${v.now})
     AND (e.signup_closes_at IS NULL OR e.signup_closes_at > ${v.now})
     AND (e.confirmed_count < e.capacity OR e.waitlist_enabled = 1)
     AND NOT EXISTS (
       SELECT 1 FROM signups s2 CROSS JOIN events o ON o.id = s2.event_id
        WHERE s2.user_id = ${v.uid} AND s2.status = 'confirmed' AND o.id <> e.id AND o.status = 'published'
          AND o.starts_at < e.ends_at AND o.ends_at > e.starts_at)
  ON CONFLICT (event_id, user_id) DO UPDATE
     SET status = excluded.status, seq = excluded.seq, late_cancel = 0, removed_reason = NULL,
         checkin_at = NULL, checkout_at = NULL, proposed_minutes = NULL, updated_at = excluded.updated_at
   WHERE signups.status = 'cancelled'
  RETURNING id, status, seq`);

/** The sign-up's notice: confirmed, or 候补第 N 位 with the position computed in SQL. */
const SIGNUP_NOTICE = prepared<{ uid: number; eid: number; now: number; link: string; confirmedTitle: string; waitlistedTitle: string }>(sql`
  INSERT INTO notices (user_id, kind, title, body, link, created_at)
  SELECT s.user_id,
         CASE s.status WHEN 'confirmed' THEN 'signup.confirmed' ELSE 'signup.waitlisted' END,
         CASE s.status WHEN 'confirmed' THEN ${sql.placeholder('confirmedTitle')} ELSE ${sql.placeholder('waitlistedTitle')} END,
         CASE s.status WHEN 'confirmed' THEN '您已报名成功，请按时参加。如不能参加，请在活动开始前取消报名。'
              ELSE '名额已满，您是候补第 ' || ${sql.raw(waitlistPositionSql('s.event_id', 's.seq'))}
                   || ' 位。有人取消时将按顺序自动递补，并通知您。' END || ${sql.raw(eventWhenWhereSql('e'))},
         ${sql.placeholder('link')}, ${v.now}
    FROM signups s JOIN events e ON e.id = s.event_id WHERE s.event_id = ${v.eid} AND s.user_id = ${v.uid}`);

/**
 * Signs the user up for the event. ONE guarded statement decides the outcome:
 * confirmed while seats remain, waitlisted (arrival order = seq) when the waitlist
 * is on, nothing otherwise; a second press returns the existing sign-up. `secretKey` opens the
 * volunteer's birth date for events with an age rule (decision 077).
 */
export async function signUp(db: Db, input: { eventId: number; userId: number; secretKey?: Buffer }, now = Date.now()): Promise<SignupResult> {
  const { eventId, userId } = input;
  const facts = await signupFacts(db, eventId, userId);
  if (!facts) throw new SignupError('not_found', '活动不存在');
  const { e, existing, u, overlapTitle } = facts;
  if (existing && (existing.status === 'confirmed' || existing.status === 'waitlisted')) {
    return { id: existing.id, status: existing.status, seq: existing.seq, created: false };
  }
  if (existing?.status === 'removed') throw new SignupError('removed', '您已被活动组织者移出本活动，不能再次报名');
  const closed = openProblem(e, now);
  if (closed) throw new SignupError('closed', closed);
  // Cheap early answer when the seats are visibly gone (the guarded INSERT below stays the real check).
  if (!e.waitlistEnabled && e.confirmedCount >= e.capacity) throw new SignupError('full', '名额已满');
  const problem = eligibilityProblem(e, u, now, input.secretKey);
  if (problem) throw new SignupError('not_eligible', problem);
  // Cheap early answer for a visible clash too; the guard refusing costs a rolled-back write (docs/decisions/084).
  if (overlapTitle != null) throw new SignupError('overlap', `与您已报名的活动“${overlapTitle}”时间冲突`);

  // The guarded statement decides status and seq; the notice is committed with it (one guarded write).
  let written;
  try {
    const values = { uid: userId, eid: eventId, now };
    written = await guardedWrite(db, SIGNUP_INSERT(values), [
      SIGNUP_NOTICE({ ...values, link: `/events/${eventId}`, confirmedTitle: `报名成功：${e.title}`, waitlistedTitle: `已加入候补：${e.title}` }),
    ]);
  } catch (err) {
    // The capacity trigger is the last line of defence; report it as full.
    if (String((err as Error).message).includes('event_capacity_exceeded')) throw new SignupError('full', '名额已满');
    throw err;
  }
  const row = written?.[0].rows[0];
  if (row) return { id: Number(row.id), status: String(row.status) as 'confirmed' | 'waitlisted', seq: Number(row.seq), created: true };
  // Nothing written: say why.
  const again = await signupOf(db, eventId, userId);
  if (again && (again.status === 'confirmed' || again.status === 'waitlisted')) return { id: again.id, status: again.status, seq: again.seq, created: false };
  if (again?.status === 'removed') throw new SignupError('removed', '您已被活动组织者移出本活动，不能再次报名');
  const other = await overlappingEvent(db, eventId, userId);
  if (other) throw new SignupError('overlap', `与您已报名的活动“${other.title}”时间冲突`);
  const fresh = await eventFacts(db, eventId);
  const closedNow = fresh && openProblem(fresh, now);
  if (closedNow) throw new SignupError('closed', closedNow);
  throw new SignupError('full', '名额已满');
}

export interface SignupRow {
  id: number;
  eventId: number;
  userId: number;
  status: string;
  seq: number;
  lateCancel: boolean;
  removedReason: string | null;
  checkinAt: number | null;
  checkoutAt: number | null;
  proposedMinutes: number | null;
}

function toSignup(r: Record<string, unknown>): SignupRow {
  return {
    id: Number(r.id),
    eventId: Number(r.event_id),
    userId: Number(r.user_id),
    status: String(r.status),
    seq: Number(r.seq),
    lateCancel: Boolean(r.late_cancel),
    removedReason: r.removed_reason == null ? null : String(r.removed_reason),
    checkinAt: r.checkin_at == null ? null : Number(r.checkin_at),
    checkoutAt: r.checkout_at == null ? null : Number(r.checkout_at),
    proposedMinutes: r.proposed_minutes == null ? null : Number(r.proposed_minutes),
  };
}

/** The user's sign-up row for an event, if any. */
export async function signupOf(db: Db, eventId: number, userId: number): Promise<SignupRow | undefined> {
  const [r] = await db.all<Record<string, unknown>>(sql`SELECT * FROM signups WHERE event_id = ${eventId} AND user_id = ${userId}`);
  return r ? toSignup(r) : undefined;
}

/** What a volunteer reads about their sign-up: 候补第N位 with the waitlist position (waitlistPositionSql), else the status. */
export function signupLabel(status: string, position: number | null | undefined): string {
  return status === 'waitlisted' && position != null ? `候补第${position}位` : signupStatusLabel(status);
}

/** Chinese label of a sign-up status. */
export function signupStatusLabel(status: string): string {
  return ({ confirmed: '已报名', waitlisted: '候补中', cancelled: '已取消', removed: '已被移出', attended: '已出勤', no_show: '缺席', refused: '未报上' } as Record<string, string>)[status] ?? status;
}

/**
 * Cancels the volunteer's own sign-up, until the start. Within 24 h of the start it
 * is flagged late_cancel and the team's leaders are told, in the same guarded write. A freed seat is promoted.
 */
export async function cancelSignup(db: Db, input: { eventId: number; userId: number }, now = Date.now()): Promise<{ lateCancel: boolean; promotedUserId?: number }> {
  const { eventId, userId } = input;
  const startsAt = sql`(SELECT starts_at FROM events WHERE id = ${eventId})`;
  const written = await guardedWrite(
    db,
    sql`UPDATE signups
       SET status = 'cancelled', updated_at = ${now},
           late_cancel = CASE WHEN status = 'confirmed' AND ${startsAt} - ${now} < 86400000 THEN 1 ELSE 0 END
     WHERE event_id = ${eventId} AND user_id = ${userId} AND status IN ('confirmed', 'waitlisted') AND ${startsAt} > ${now}
     RETURNING late_cancel`,
    [
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
      SELECT ${userId}, 'signup.cancelled', '已取消报名：' || e.title, '您已取消本次活动的报名。', ${`/events/${eventId}`}, ${now} FROM events e WHERE e.id = ${eventId}`,
      // No name: the leaders' notices outlive a 注销 (decision 077); the roster shows who, marked 临时取消.
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
      SELECT m.user_id, 'signup.late_cancel', '临时取消：' || e.title, '有志愿者在活动开始前 24 小时内取消了报名，详见活动报名名单。', '/me/teams', ${now}
        FROM events e JOIN team_members m ON m.team_id = e.team_id AND ${leadershipRowSql('m')}
       WHERE e.id = ${eventId} AND (SELECT late_cancel FROM signups WHERE event_id = ${eventId} AND user_id = ${userId}) = 1`,
    ],
  );
  if (!written) {
    const s = await signupOf(db, eventId, userId);
    if (!s || (s.status !== 'confirmed' && s.status !== 'waitlisted')) throw new SignupError('not_signed_up', '您没有可取消的报名');
    throw new SignupError('started', '活动已开始，不能再取消报名');
  }
  const lateCancel = Boolean(written[0].rows[0].late_cancel);
  const promoted = await fillFreedSeats(db, eventId, now);
  return { lateCancel, promotedUserId: promoted[0] };
}

/**
 * Gives free seats to the first waitlisted volunteers, one guarded UPDATE per seat,
 * skipping volunteers now confirmed elsewhere at the same time; never after the start.
 * Each promoted volunteer gets a notice. Returns the promoted user ids.
 */
export async function fillFreedSeats(db: Db, eventId: number, now = Date.now()): Promise<number[]> {
  const promoted: number[] = [];
  for (let i = 0; i < 1000; i++) {
    let r;
    try {
      [r] = await db.all<{ user_id: number; title: string }>(sql`UPDATE signups SET status = 'confirmed', updated_at = ${now}
         WHERE id = (
           SELECT s.id FROM signups s, events e
            WHERE s.event_id = ${eventId} AND s.status = 'waitlisted' AND e.id = s.event_id
              AND NOT EXISTS (
                SELECT 1 FROM signups s2 JOIN events o ON o.id = s2.event_id
                 WHERE s2.user_id = s.user_id AND s2.status = 'confirmed' AND o.id <> e.id AND o.status = 'published'
                   AND o.starts_at < e.ends_at AND o.ends_at > e.starts_at)
            ORDER BY s.seq LIMIT 1)
           AND EXISTS (SELECT 1 FROM events e WHERE e.id = ${eventId} AND e.status = 'published' AND e.starts_at > ${now} AND e.confirmed_count < e.capacity)
         RETURNING user_id, (SELECT title FROM events WHERE id = ${eventId}) AS title`);
    } catch (err) {
      if (String((err as Error).message).includes('event_capacity_exceeded')) break;
      throw err;
    }
    if (!r) break;
    const uid = Number(r.user_id);
    promoted.push(uid);
    // A separate statement: which volunteer the seat went to is known only from the UPDATE's answer.
    // A crash in between loses this notice, never the seat (docs/architecture.md "Writes under contention").
    await writeBatch(db, [
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
      SELECT ${uid}, 'signup.promoted', '候补成功：' || e.title,
             '有志愿者取消了报名，您已由候补转为正式报名，请按时参加。' || ${sql.raw(eventWhenWhereSql('e'))}, ${`/events/${eventId}`}, ${now}
        FROM events e WHERE e.id = ${eventId}`,
    ]);
  }
  return promoted;
}
