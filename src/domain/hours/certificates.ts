// 志愿服务记录证明 (民发〔2015〕149号): request → issue (leader or automatic) → revoke.
// Numbers SX-YYYY-NNNNNN come from a counters row bumped inside the same write batch
// that issues the certificate, so parallel issues never share a number (docs/decisions/031).
import type { Db } from '../../../db/client.ts';
import type { Row } from '@libsql/client';
import { getSettings } from '../settings/index.ts';
import { humanCode } from '../../lib/ids.ts';
import { formatDate, fromShanghai, shanghaiDay } from '../../lib/time.ts';
import { HoursError } from './errors.ts';
import { auditIfChanged, num, str } from './sql.ts';
import { assertLeader, leadsOwnTeamSql, mayReviewArgs, mayReviewSql, reviewRefusal, type Reviewer } from './records.ts';
import { teamAllowsLeaderWrites } from '../accounts/policy.ts';
import { parseJsonOr } from '../../lib/json.ts';

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

const CERT_STATUS: Record<string, string> = { requested: '待出具', issued: '有效', declined: '未出具', revoked: '已撤销' };
/** Chinese label of a certificate status. */
export function certificateStatusLabel(s: string): string {
  return CERT_STATUS[s] ?? s;
}

const SELECT = `SELECT c.*, u.real_name AS user_name, t.name AS team_name FROM certificates c JOIN users u ON u.id = c.user_id JOIN teams t ON t.id = c.team_id`;

function toRow(r: Row): CertificateRow {
  const snapshot = parseJsonOr<CertificateSnapshot | null>(r.snapshot == null ? null : String(r.snapshot), null);
  return {
    id: num(r, 'id'), number: str(r, 'number'), code: str(r, 'code'), userId: num(r, 'user_id'), userName: String(r.user_name), teamId: num(r, 'team_id'), teamName: String(r.team_name),
    periodFrom: String(r.period_from), periodTo: String(r.period_to), totalMinutes: num(r, 'total_minutes'), status: String(r.status), requestedAt: num(r, 'requested_at'),
    issuedAt: r.issued_at == null ? null : num(r, 'issued_at'), revokedAt: r.revoked_at == null ? null : num(r, 'revoked_at'), revokeReason: str(r, 'revoke_reason'),
    declineReason: str(r, 'decline_reason'), note: str(r, 'note'), snapshot,
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Confirmed records of a volunteer in a team within [from, to] (Shanghai days). */
async function confirmedItems(db: Db, userId: number, teamId: number, from: string, to: string) {
  const rs = await db.$client.execute({
    sql: `SELECT h.starts_at, h.minutes, coalesce(e.title, h.content) AS content FROM hour_records h LEFT JOIN events e ON e.id = h.event_id
          WHERE h.user_id = ? AND h.team_id = ? AND h.status = 'confirmed' AND h.starts_at >= ? AND h.starts_at < ? ORDER BY h.starts_at LIMIT 1000`,
    args: [userId, teamId, fromShanghai(from), fromShanghai(to) + 86400_000],
  });
  return rs.rows.map((r) => ({ date: shanghaiDay(num(r, 'starts_at')), content: String(r.content || '志愿服务'), minutes: num(r, 'minutes') }));
}

/** A volunteer asks a team for a certificate over a date range; issued at once when settings.autoIssueCertificates. */
export async function requestCertificate(db: Db, userId: number, input: { teamId: number; from: string; to: string; note?: string }, now = Date.now()): Promise<number> {
  if (!DAY.test(input.from) || !DAY.test(input.to)) throw new HoursError('BAD_REQUEST', '请选择起止日期');
  if (input.from > input.to) throw new HoursError('BAD_REQUEST', '结束日期不能早于开始日期');
  if (input.to > shanghaiDay(now)) throw new HoursError('BAD_REQUEST', '结束日期不能晚于今天');
  const team = await db.$client.execute({ sql: `SELECT name, status FROM teams WHERE id = ?`, args: [input.teamId] });
  if (!team.rows.length) throw new HoursError('NOT_FOUND', '队伍不存在');
  const items = await confirmedItems(db, userId, input.teamId, input.from, input.to);
  if (!items.length) throw new HoursError('BAD_REQUEST', `您在“${String(team.rows[0].name)}”该时间段内没有已确认的服务时长，无法开具证明`);
  const total = items.reduce((a, b) => a + b.minutes, 0);
  const note = (input.note ?? '').trim().slice(0, 100) || null;
  const [ins] = await db.$client.batch([
    {
      sql: `INSERT INTO certificates (user_id, team_id, period_from, period_to, total_minutes, status, requested_at, note, created_at)
            SELECT ?, ?, ?, ?, ?, 'requested', ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM certificates WHERE user_id = ? AND team_id = ? AND status = 'requested')
            RETURNING id`,
      args: [userId, input.teamId, input.from, input.to, total, now, note, now, userId, input.teamId],
    },
    auditIfChanged({ actorId: userId, action: 'certificates.request', targetType: 'certificate', after: { teamId: input.teamId, from: input.from, to: input.to } }, 'last_insert_rowid()'),
    {
      sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at)
            SELECT m.user_id, 'certificates', '新的服务证明申请', ?, '/me/teams/' || t.slug || '/hours#certificates', ?
            FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.team_id = ? AND m.status = 'active' AND m.role IN ('leader','coleader') AND m.user_id <> ? AND changes() = 1`,
      args: [`${input.from} 至 ${input.to}`, now, input.teamId, userId],
    },
  ], 'write');
  if (!ins.rows.length) throw new HoursError('CONFLICT', '您已向该队伍提交过一份待出具的证明申请，请等待处理');
  const id = num(ins.rows[0], 'id');
  // A suspended team issues nothing, not even automatically; the request waits for reinstatement or staff.
  if ((await getSettings(db)).autoIssueCertificates && teamAllowsLeaderWrites(String(team.rows[0].status))) await issueCertificate(db, null, id, now);
  return id;
}

/**
 * Issues a requested certificate: freezes the snapshot, takes the next number. actor null = automatic issue;
 * otherwise a leader who may write to the team, or staff for a leader's own request — never the volunteer themself.
 */
export async function issueCertificate(db: Db, actor: number | Reviewer | null, certId: number, now = Date.now()): Promise<{ number: string; code: string }> {
  const reviewer: Reviewer | null = typeof actor === 'number' ? { id: actor } : actor;
  const actorId = reviewer?.id ?? null;
  const rs = await db.$client.execute({
    sql: `SELECT c.*, u.real_name, u.id_type, u.id_number_masked, u.volunteer_no, t.name AS team_name, t.leader_name, t.contact_phone
          FROM certificates c JOIN users u ON u.id = c.user_id JOIN teams t ON t.id = c.team_id WHERE c.id = ?`,
    args: [certId],
  });
  if (!rs.rows.length) throw new HoursError('NOT_FOUND', '证明申请不存在');
  const c = rs.rows[0];
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
    const h = await db.$client.execute({ sql: `SELECT real_name FROM users WHERE id = ?`, args: [actorId] });
    handler = String(h.rows[0]?.real_name ?? '');
  }
  let leader = str(c, 'leader_name');
  if (!leader) {
    const l = await db.$client.execute({ sql: `SELECT u.real_name FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.role = 'leader' AND m.status = 'active' LIMIT 1`, args: [teamId] });
    leader = l.rows.length ? String(l.rows[0].real_name) : '';
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
  // The reviewer rule is re-checked inside both statements, so a suspension or a role change between the
  // check above and this batch cannot slip through (and burns no number).
  const allowed = reviewer ? mayReviewSql('certificates') : '1';
  const allowedArgs = reviewer ? mayReviewArgs(reviewer) : [];
  const [, upd] = await db.$client.batch([
    {
      sql: `INSERT INTO counters (name, value) SELECT ?, 1 WHERE EXISTS (SELECT 1 FROM certificates WHERE id = ? AND status = 'requested' AND ${allowed})
            ON CONFLICT(name) DO UPDATE SET value = value + 1`,
      args: [counter, certId, ...allowedArgs],
    },
    {
      sql: `UPDATE certificates SET status = 'issued', number = 'SX-' || ? || '-' || printf('%06d', (SELECT value FROM counters WHERE name = ?)),
              code = ?, snapshot = ?, total_minutes = ?, issued_at = ?, issued_by = ?
            WHERE id = ? AND status = 'requested' AND ${allowed} RETURNING number, code`,
      args: [year, counter, code, JSON.stringify(snapshot), total, now, actorId, certId, ...allowedArgs],
    },
    auditIfChanged({ actorId, action: 'certificates.issue', targetType: 'certificate', before: { status: 'requested' }, after: { status: 'issued', code, totalMinutes: total, auto: actorId == null, asStaff: !!reviewer?.staff } }, '?', certId),
    { sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at) SELECT ?, 'certificates', '服务证明已出具', '', '/me/certificates', ? WHERE changes() = 1`, args: [num(c, 'user_id'), now] },
  ], 'write');
  if (!upd.rows.length) throw new HoursError('CONFLICT', '该申请已处理');
  return { number: String(upd.rows[0].number), code: String(upd.rows[0].code) };
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
  const [upd] = await db.$client.batch([
    { sql: `UPDATE certificates SET status = 'declined', decline_reason = ? WHERE id = ? AND status = 'requested' AND ${mayReviewSql('certificates')} RETURNING id`, args: [why.slice(0, 300), certId, ...mayReviewArgs(reviewer)] },
    auditIfChanged({ actorId, action: 'certificates.decline', targetType: 'certificate', before: { status: 'requested' }, after: { status: 'declined', reason: why } }, '?', certId),
    { sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at) SELECT ?, 'certificates', '服务证明申请未通过', ?, '/me/certificates', ? WHERE changes() = 1`, args: [cert.userId, `理由：${why}`, now] },
  ], 'write');
  if (!upd.rows.length) throw new HoursError('CONFLICT', '该申请已处理');
}

/** Revokes an issued certificate with a reason. `mayManage`: staff with certificates.manage; otherwise the actor must lead the team. */
export async function revokeCertificate(db: Db, actor: { id: number; mayManage: boolean }, certId: number, reason: string, now = Date.now()): Promise<void> {
  const why = reason.trim();
  if (why.length < 2) throw new HoursError('BAD_REQUEST', '请填写撤销理由（至少 2 个字）');
  const cert = await getCertificate(db, certId);
  if (!cert) throw new HoursError('NOT_FOUND', '证明不存在');
  if (!actor.mayManage) await assertLeader(db, actor.id, cert.teamId, '撤销证明');
  const [upd] = await db.$client.batch([
    { sql: `UPDATE certificates SET status = 'revoked', revoked_at = ?, revoke_reason = ? WHERE id = ? AND status = 'issued' RETURNING id`, args: [now, why.slice(0, 300), certId] },
    auditIfChanged({ actorId: actor.id, action: 'certificates.revoke', targetType: 'certificate', before: { status: 'issued' }, after: { status: 'revoked', reason: why } }, '?', certId),
    { sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at) SELECT ?, 'certificates', '服务证明已被撤销', ?, '/me/certificates', ? WHERE changes() = 1`, args: [cert.userId, `理由：${why}`, now] },
  ], 'write');
  if (!upd.rows.length) throw new HoursError('CONFLICT', '只有有效的证明可以撤销');
}

/** One certificate by id. */
export async function getCertificate(db: Db, id: number): Promise<CertificateRow | null> {
  const rs = await db.$client.execute({ sql: `${SELECT} WHERE c.id = ?`, args: [id] });
  return rs.rows.length ? toRow(rs.rows[0]) : null;
}

/** An issued or revoked certificate by its verification code (case-insensitive). */
export async function certificateByCode(db: Db, code: string): Promise<CertificateRow | null> {
  const c = code.trim().toUpperCase();
  if (!/^[A-Z0-9]{4,32}$/.test(c)) return null;
  const rs = await db.$client.execute({ sql: `${SELECT} WHERE c.code = ? AND c.status IN ('issued','revoked')`, args: [c] });
  return rs.rows.length ? toRow(rs.rows[0]) : null;
}

/** A volunteer's certificates, newest first. */
export async function volunteerCertificates(db: Db, userId: number): Promise<CertificateRow[]> {
  const rs = await db.$client.execute({ sql: `${SELECT} WHERE c.user_id = ? ORDER BY c.id DESC LIMIT 200`, args: [userId] });
  return rs.rows.map(toRow);
}

/** A team's certificates: open requests first, then the latest issued. */
export async function teamCertificates(db: Db, teamId: number, limit = 100): Promise<CertificateRow[]> {
  const rs = await db.$client.execute({ sql: `${SELECT} WHERE c.team_id = ? ORDER BY (c.status = 'requested') DESC, c.id DESC LIMIT ${limit}`, args: [teamId] });
  return rs.rows.map(toRow);
}

/** Open certificate requests of volunteers who lead the issuing team: what staff issue (a leader may not certify themself). */
export async function leadersOwnCertificateRequests(db: Db, limit = 100): Promise<CertificateRow[]> {
  const rs = await db.$client.execute({ sql: `${SELECT} WHERE c.status = 'requested' AND ${leadsOwnTeamSql('c')} ORDER BY c.id LIMIT ${limit}`, args: [] });
  return rs.rows.map(toRow);
}

/** The register of certificates (console): search by number, code or volunteer name; filter by status. */
export async function certificateRegister(db: Db, f: { q?: string; status?: string; limit?: number; offset?: number } = {}): Promise<CertificateRow[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.q?.trim()) {
    const like = `%${f.q.trim().replace(/[%_\\]/g, (m) => '\\' + m)}%`;
    where.push(`(c.number LIKE ? ESCAPE '\\' OR c.code LIKE ? ESCAPE '\\' OR u.real_name LIKE ? ESCAPE '\\' OR t.name LIKE ? ESCAPE '\\')`);
    args.push(like, like, like, like);
  }
  if (f.status && CERT_STATUS[f.status]) { where.push('c.status = ?'); args.push(f.status); }
  const rs = await db.$client.execute({
    sql: `${SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.id DESC LIMIT ${Math.min(f.limit ?? 50, 200)} OFFSET ${Math.max(0, f.offset ?? 0)}`,
    args,
  });
  return rs.rows.map(toRow);
}
