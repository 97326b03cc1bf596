// 志愿服务记录证明 (民发〔2015〕149号): request → issue (leader or automatic) → revoke.
// Numbers SX-YYYY-NNNNNN come from a counters row bumped inside the same write batch
// that issues the certificate, so parallel issues never share a number (docs/decisions/031).
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { getSettings } from '../settings/index.ts';
import { humanCode } from '../../lib/ids.ts';
import { formatDate, fromShanghai, shanghaiDay } from '../../lib/time.ts';
import { HoursError } from './errors.ts';
import { num, str, type Row } from './sql.ts';
import { assertLeader, leadsOwnTeamSql, mayReviewSql, reviewRefusal, type Reviewer } from './review.ts';
import { teamAllowsLeaderWrites, teamLeaderIdsSql } from '../accounts/policy.ts';
import { parseJsonOr } from '../../lib/json.ts';
import { stripMarkup } from '../../lib/plain-text.ts';

/** The four field groups, frozen at issue time. */
export interface CertificateSnapshot {
  volunteer: { name: string; idType: string; idMasked: string; volunteerNo: string };
  service: { periodFrom: string; periodTo: string; totalMinutes: number; items: { date: string; content: string; minutes: number }[] };
  issuer: { org: string; leader: string; handler: string; contact: string };
  issueDate: string;
  notes: string;
}

export interface CertificateRow {
  id: number;
  number: string | null;
  code: string | null;
  userId: number;
  userName: string;
  teamId: number;
  teamName: string;
  periodFrom: string;
  periodTo: string;
  totalMinutes: number;
  status: string;
  requestedAt: number;
  issuedAt: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
  declineReason: string | null;
  note: string | null;
  snapshot: CertificateSnapshot | null;
}

/** 750 minutes → "12.5" */
export function formatHoursValue(minutes: number): string {
  return String(Math.round((minutes / 60) * 10) / 10);
}

/** The 备注 as the volunteer's words: markup pasted into requests made before it was stripped is dropped, never printed. */
export function certificateNotes(notes: string): string {
  return stripMarkup(notes) || '无';
}

const CERT_STATUS: Record<string, string> = { requested: '待出具', issued: '有效', declined: '未出具', revoked: '已撤销' };
/** Chinese label of a certificate status. */
export function certificateStatusLabel(s: string): string {
  return CERT_STATUS[s] ?? s;
}

/** Certificates with their volunteer's and team's names, filtered by `where`, in `order`. */
async function certificates(db: Db, where: SQL, order: SQL, limit: number, offset = 0): Promise<CertificateRow[]> {
  const rows = await db.all<Row>(sql`SELECT c.*, u.real_name AS user_name, t.name AS team_name FROM certificates c JOIN users u ON u.id = c.user_id JOIN teams t ON t.id = c.team_id
    WHERE ${where} ORDER BY ${order} LIMIT ${sql.raw(String(Math.trunc(limit)))} OFFSET ${sql.raw(String(Math.trunc(offset)))}`);
  return rows.map(toRow);
}

function toRow(r: Row): CertificateRow {
  const snapshot = parseJsonOr<CertificateSnapshot | null>(r.snapshot == null ? null : String(r.snapshot), null);
  return {
    id: num(r, 'id'),
    number: str(r, 'number'),
    code: str(r, 'code'),
    userId: num(r, 'user_id'),
    userName: String(r.user_name),
    teamId: num(r, 'team_id'),
    teamName: String(r.team_name),
    periodFrom: String(r.period_from),
    periodTo: String(r.period_to),
    totalMinutes: num(r, 'total_minutes'),
    status: String(r.status),
    requestedAt: num(r, 'requested_at'),
    issuedAt: r.issued_at == null ? null : num(r, 'issued_at'),
    revokedAt: r.revoked_at == null ? null : num(r, 'revoked_at'),
    revokeReason: str(r, 'revoke_reason'),
    declineReason: str(r, 'decline_reason'),
    note: str(r, 'note'),
    snapshot,
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Confirmed records of a volunteer in a team within [from, to] (Shanghai days). */
async function confirmedItems(db: Db, userId: number, teamId: number, from: string, to: string) {
  const rows = await db.all<Row>(sql`SELECT h.starts_at, h.minutes, coalesce(e.title, h.content) AS content FROM hour_records h LEFT JOIN events e ON e.id = h.event_id
    WHERE h.user_id = ${userId} AND h.team_id = ${teamId} AND h.status = 'confirmed' AND h.starts_at >= ${fromShanghai(from)} AND h.starts_at < ${fromShanghai(to) + 86400_000}
    ORDER BY h.starts_at LIMIT 1000`);
  // Service content is the volunteer's (or the event's) words: markup pasted into a claim is not printed literally.
  return rows.map((r) => ({ date: shanghaiDay(num(r, 'starts_at')), content: stripMarkup(String(r.content || '')) || '志愿服务', minutes: num(r, 'minutes') }));
}

/** A volunteer asks a team for a certificate over a date range; issued at once when settings.autoIssueCertificates. */
export async function requestCertificate(db: Db, userId: number, input: { teamId: number; from: string; to: string; note?: string }, now = Date.now()): Promise<number> {
  if (!DAY.test(input.from) || !DAY.test(input.to)) throw new HoursError('BAD_REQUEST', '请选择起止日期');
  if (input.from > input.to) throw new HoursError('BAD_REQUEST', '结束日期不能早于开始日期');
  if (input.to > shanghaiDay(now)) throw new HoursError('BAD_REQUEST', '结束日期不能晚于今天');
  const [team] = await db.all<Row>(sql`SELECT name, slug, status FROM teams WHERE id = ${input.teamId}`);
  if (!team) throw new HoursError('NOT_FOUND', '队伍不存在');
  const items = await confirmedItems(db, userId, input.teamId, input.from, input.to);
  if (!items.length) throw new HoursError('BAD_REQUEST', `您在“${String(team.name)}”该时间段内没有已确认的服务时长，无法开具证明`);
  const total = items.reduce((a, b) => a + b.minutes, 0);
  // The note is printed as the certificate's 备注: markup someone pasted is dropped here, at the source.
  const note = stripMarkup(input.note ?? '').slice(0, 100) || null;
  // One open request per volunteer and team: the guard's condition names the new row too.
  const openRequest = sql`SELECT id FROM certificates WHERE user_id = ${userId} AND team_id = ${input.teamId} AND status = 'requested'`;
  const written = await guardedWrite(
    db,
    sql`INSERT INTO certificates (user_id, team_id, period_from, period_to, total_minutes, status, requested_at, note, created_at)
    SELECT ${userId}, ${input.teamId}, ${input.from}, ${input.to}, ${total}, 'requested', ${now}, ${note}, ${now} WHERE NOT EXISTS (${openRequest})
    RETURNING id`,
    [
      auditStatement({ actorId: userId, action: 'certificates.request', targetType: 'certificate', targetId: openRequest, after: { teamId: input.teamId, from: input.from, to: input.to } }),
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
      SELECT l.user_id, 'certificates', '新的服务证明申请', ${`${input.from} 至 ${input.to}`}, ${`/me/teams/${String(team.slug)}/hours#certificates`}, ${now}
      FROM (${teamLeaderIdsSql(input.teamId)}) l WHERE l.user_id <> ${userId}`,
    ],
  );
  if (!written) throw new HoursError('CONFLICT', '您已向该队伍提交过一份待出具的证明申请，请等待处理');
  const id = num(written[0].rows[0], 'id');
  // A suspended team issues nothing, not even automatically; the request waits for reinstatement or staff.
  if ((await getSettings(db)).autoIssueCertificates && teamAllowsLeaderWrites(String(team.status))) await issueCertificate(db, null, id, now);
  return id;
}

/**
 * Issues a requested certificate: freezes the snapshot, takes the next number. actor null = automatic issue;
 * otherwise a leader who may write to the team, or staff for a leader's own request — never the volunteer themself.
 */
export async function issueCertificate(db: Db, actor: number | Reviewer | null, certId: number, now = Date.now()): Promise<{ number: string; code: string }> {
  const reviewer: Reviewer | null = typeof actor === 'number' ? { id: actor } : actor;
  const actorId = reviewer?.id ?? null;
  const [c] = await db.all<Row>(sql`SELECT c.*, u.real_name, u.id_type, u.id_number_masked, u.volunteer_no, t.name AS team_name, t.leader_name, t.contact_phone
    FROM certificates c JOIN users u ON u.id = c.user_id JOIN teams t ON t.id = c.team_id WHERE c.id = ${certId}`);
  if (!c) throw new HoursError('NOT_FOUND', '证明申请不存在');
  const teamId = num(c, 'team_id');
  if (reviewer) {
    const refusal = await reviewRefusal(db, reviewer, { userId: num(c, 'user_id'), teamId }, '出具证明');
    if (refusal) throw refusal.error;
  }
  if (c.status !== 'requested') throw new HoursError('CONFLICT', '该申请已处理');
  const settings = await getSettings(db);
  const items = await confirmedItems(db, num(c, 'user_id'), teamId, String(c.period_from), String(c.period_to));
  if (!items.length) throw new HoursError('BAD_REQUEST', '该时间段内已没有已确认的服务时长，无法出具');
  const total = items.reduce((a, b) => a + b.minutes, 0);
  let handler = '系统自动出具';
  if (actorId != null) {
    const [h] = await db.all<Row>(sql`SELECT real_name FROM users WHERE id = ${actorId}`);
    handler = String(h?.real_name ?? '');
  }
  let leader = str(c, 'leader_name');
  if (!leader) {
    // The name printed as 负责人 is the team's 队长 (not a co-leader).
    const [l] = await db.all<Row>(sql`SELECT u.real_name FROM team_members m JOIN users u ON u.id = m.user_id
      WHERE m.team_id = ${teamId} AND m.role = 'leader' AND m.status = 'active' LIMIT 1`);
    leader = l ? String(l.real_name) : '';
  }
  const snapshot: CertificateSnapshot = {
    volunteer: { name: String(c.real_name), idType: str(c, 'id_type') ?? '', idMasked: str(c, 'id_number_masked') ?? '', volunteerNo: str(c, 'volunteer_no') ?? '' },
    service: { periodFrom: String(c.period_from), periodTo: String(c.period_to), totalMinutes: total, items },
    issuer: { org: String(c.team_name), leader, handler, contact: str(c, 'contact_phone') ?? settings.contactPhone },
    issueDate: formatDate(now),
    notes: str(c, 'note') ?? '',
  };
  const year = shanghaiDay(now).slice(0, 4);
  const counter = `certificate-no-${year}`;
  const code = humanCode(12);
  // The guard takes the number: it bumps the year's counter only while the request is open and the
  // reviewer rule holds, re-checked here so a suspension or a role change between the check above and
  // this write cannot slip through (and burns no number).
  const allowed = reviewer ? mayReviewSql('certificates', reviewer) : sql`1`;
  const written = await guardedWrite(
    db,
    sql`INSERT INTO counters (name, value)
    SELECT ${counter}, 1 WHERE EXISTS (SELECT 1 FROM certificates WHERE id = ${certId} AND status = 'requested' AND ${allowed})
    ON CONFLICT(name) DO UPDATE SET value = value + 1`,
    [
      sql`UPDATE certificates SET status = 'issued', number = 'SX-' || ${year} || '-' || printf('%06d', (SELECT value FROM counters WHERE name = ${counter})),
      code = ${code}, snapshot = ${JSON.stringify(snapshot)}, total_minutes = ${total}, issued_at = ${now}, issued_by = ${actorId}
      WHERE id = ${certId} RETURNING number, code`,
      auditStatement({
        actorId,
        action: 'certificates.issue',
        targetType: 'certificate',
        targetId: certId,
        before: { status: 'requested' },
        after: { status: 'issued', code, totalMinutes: total, auto: actorId == null, asStaff: !!reviewer?.staff },
      }),
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at) SELECT user_id, 'certificates', '服务证明已出具', '证明编号 ' || number || '，可在“我的证明”中下载或打印，扫码即可查验。', '/me/certificates', ${now} FROM certificates WHERE id = ${certId}`,
    ],
  );
  if (!written) throw new HoursError('CONFLICT', '该申请已处理');
  const issued = written[1].rows[0];
  return { number: String(issued.number), code: String(issued.code) };
}

/** Declines a certificate request with a reason (the reviewers of `issueCertificate`). */
export async function declineCertificate(db: Db, actor: number | Reviewer, certId: number, reason: string, now = Date.now()): Promise<void> {
  const reviewer: Reviewer = typeof actor === 'number' ? { id: actor } : actor;
  const actorId = reviewer.id;
  const why = reason.trim();
  if (why.length < 2) throw new HoursError('BAD_REQUEST', '请填写不予出具的理由（至少 2 个字）');
  const cert = await getCertificate(db, certId);
  if (!cert) throw new HoursError('NOT_FOUND', '证明申请不存在');
  const refusal = await reviewRefusal(db, reviewer, cert, '处理证明申请');
  if (refusal) throw refusal.error;
  const written = await guardedWrite(
    db,
    sql`UPDATE certificates SET status = 'declined', decline_reason = ${why.slice(0, 300)}
    WHERE id = ${certId} AND status = 'requested' AND ${mayReviewSql('certificates', reviewer)}`,
    [
      auditStatement({ actorId, action: 'certificates.decline', targetType: 'certificate', targetId: certId, before: { status: 'requested' }, after: { status: 'declined', reason: why } }),
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at) VALUES (${cert.userId}, 'certificates', '服务证明申请未通过', ${`理由：${why}`}, '/me/certificates', ${now})`,
    ],
  );
  if (!written) throw new HoursError('CONFLICT', '该申请已处理');
}

/** Revokes an issued certificate with a reason. `mayManage`: staff with certificates.manage; otherwise the actor must lead the team. */
export async function revokeCertificate(db: Db, actor: { id: number; mayManage: boolean }, certId: number, reason: string, now = Date.now()): Promise<void> {
  const why = reason.trim();
  if (why.length < 2) throw new HoursError('BAD_REQUEST', '请填写撤销理由（至少 2 个字）');
  const cert = await getCertificate(db, certId);
  if (!cert) throw new HoursError('NOT_FOUND', '证明不存在');
  if (!actor.mayManage) await assertLeader(db, actor.id, cert.teamId, '撤销证明');
  const written = await guardedWrite(db, sql`UPDATE certificates SET status = 'revoked', revoked_at = ${now}, revoke_reason = ${why.slice(0, 300)} WHERE id = ${certId} AND status = 'issued'`, [
    auditStatement({ actorId: actor.id, action: 'certificates.revoke', targetType: 'certificate', targetId: certId, before: { status: 'issued' }, after: { status: 'revoked', reason: why } }),
    sql`INSERT INTO notices (user_id, kind, title, body, link, created_at) VALUES (${cert.userId}, 'certificates', '服务证明已被撤销', ${`理由：${why}`}, '/me/certificates', ${now})`,
  ]);
  if (!written) throw new HoursError('CONFLICT', '只有有效的证明可以撤销');
}

/** One certificate by id. */
export async function getCertificate(db: Db, id: number): Promise<CertificateRow | null> {
  return (await certificates(db, sql`c.id = ${id}`, sql.raw('c.id'), 1))[0] ?? null;
}

/** An issued or revoked certificate by its verification code (case-insensitive). */
export async function certificateByCode(db: Db, code: string): Promise<CertificateRow | null> {
  const c = code.trim().toUpperCase();
  if (!/^[A-Z0-9]{4,32}$/.test(c)) return null;
  return (await certificates(db, sql`c.code = ${c} AND c.status IN ('issued','revoked')`, sql.raw('c.id'), 1))[0] ?? null;
}

/** A volunteer's certificates, newest first. */
export async function volunteerCertificates(db: Db, userId: number): Promise<CertificateRow[]> {
  return certificates(db, sql`c.user_id = ${userId}`, sql.raw('c.id DESC'), 200);
}

/** A team's certificates: open requests first, then the latest issued. */
export async function teamCertificates(db: Db, teamId: number, limit = 100): Promise<CertificateRow[]> {
  return certificates(db, sql`c.team_id = ${teamId}`, sql.raw(`(c.status = 'requested') DESC, c.id DESC`), limit);
}

/** Open certificate requests of volunteers who lead the issuing team: what staff issue (a leader may not certify themself). */
export async function leadersOwnCertificateRequests(db: Db, limit = 100): Promise<CertificateRow[]> {
  return certificates(db, sql`c.status = 'requested' AND ${leadsOwnTeamSql('c')}`, sql.raw('c.id'), limit);
}

/** The register of certificates (console): search by number, code or volunteer name; filter by status. */
export async function certificateRegister(db: Db, f: { q?: string; status?: string; limit?: number; offset?: number } = {}): Promise<CertificateRow[]> {
  const where: SQL[] = [sql`1`];
  if (f.q?.trim()) {
    const like = `%${f.q.trim().replace(/[%_\\]/g, (m) => '\\' + m)}%`;
    where.push(sql`(c.number LIKE ${like} ESCAPE '\\' OR c.code LIKE ${like} ESCAPE '\\' OR u.real_name LIKE ${like} ESCAPE '\\' OR t.name LIKE ${like} ESCAPE '\\')`);
  }
  if (f.status && CERT_STATUS[f.status]) where.push(sql`c.status = ${f.status}`);
  return certificates(db, sql.join(where, sql` AND `), sql.raw('c.id DESC'), Math.min(f.limit ?? 50, 200), Math.max(0, f.offset ?? 0));
}
