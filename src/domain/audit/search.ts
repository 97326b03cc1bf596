// Reading the audit log in the console (/console/audit and its XLSX export): filters by action, person,
// object (type + number or title) and day range; each row with the operator's name and role and the
// object's title, so an inspector can read it without the database (issue 17, item 4).
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { maskName } from '../../lib/pii.ts';
import { leadershipRowSql, ROLE_LABELS, type Role } from '../accounts/policy.ts';
import { AUDIT_ACTION_GROUPS, isAuditAction } from './actions.ts';

export interface AuditFilter {
  /** Exact action, or a group prefix ending in '.' (e.g. 'login.'). */
  action?: string;
  actorId?: number;
  /** Part of the operator's name (the person filter when it is not a number). */
  actorName?: string;
  /** The operator's mobile number (the description shows it masked). */
  actorPhone?: string;
  targetType?: string;
  targetId?: string;
  /** Part of the object's title (events, articles, teams, batches …; never a person's name). */
  targetTitle?: string;
  /** Inclusive start / exclusive end, epoch ms. */
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

/** Object types of the log with their Chinese names (the filter menu and the 对象 column). */
export const AUDIT_TARGET_TYPES: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    user: '账户',
    team: '队伍',
    team_member: '队员',
    event: '活动',
    signup: '报名',
    hour_record: '服务时长记录',
    hour_records: '服务时长台账',
    hour_correction: '时长更正申请',
    certificate: '服务证明',
    article: '文章',
    honor_batch: '评选批次',
    honoree: '候选人',
    nomination: '推荐线索',
    objection: '公示异议',
    lecture_order: '宣讲预约',
    ip: 'IP 地址',
    audit_log: '审计日志',
  }),
);

/** Types whose title is a person's name: shown masked, never searched by name. */
const PERSON_TYPES = new Set(['user', 'honoree', 'nomination']);

const id = sql`CAST(a.target_id AS INTEGER)`;
/** The object's title, for types that have one (a title, a team name, a certificate number, the event of a record). */
const TITLE = sql`CASE a.target_type
  WHEN 'article' THEN (SELECT title FROM articles WHERE id = ${id})
  WHEN 'event' THEN (SELECT title FROM events WHERE id = ${id})
  WHEN 'team' THEN (SELECT name FROM teams WHERE id = ${id})
  WHEN 'honor_batch' THEN (SELECT title FROM honor_batches WHERE id = ${id})
  WHEN 'certificate' THEN (SELECT coalesce(number, '（未编号）') FROM certificates WHERE id = ${id})
  WHEN 'hour_record' THEN (SELECT coalesce(e.title, h.content) FROM hour_records h LEFT JOIN events e ON e.id = h.event_id WHERE h.id = ${id})
  WHEN 'hour_correction' THEN (SELECT coalesce(e.title, h.content) FROM hour_corrections c JOIN hour_records h ON h.id = c.record_id LEFT JOIN events e ON e.id = h.event_id WHERE c.id = ${id})
  WHEN 'signup' THEN (SELECT e.title FROM signups s JOIN events e ON e.id = s.event_id WHERE s.id = ${id})
  WHEN 'team_member' THEN (SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.id = ${id})
  WHEN 'service_item' THEN (SELECT name FROM service_items WHERE id = ${id})
  WHEN 'lecture_order' THEN (SELECT json_extract(lecture, '$.topic') FROM service_orders WHERE json_extract(lecture, '$.legacyId') = ${id})
  WHEN 'objection' THEN (SELECT b.title FROM objections o JOIN honorees h ON h.id = o.honoree_id LEFT JOIN honor_batches b ON b.id = h.batch_id WHERE o.id = ${id})
  END`;
/** A person's name for person types, masked in TypeScript before it leaves this module. */
const PERSON = sql`CASE a.target_type
  WHEN 'user' THEN (SELECT real_name FROM users WHERE id = ${id})
  WHEN 'honoree' THEN (SELECT CASE kind WHEN 'person' THEN name END FROM honorees WHERE id = ${id})
  WHEN 'nomination' THEN (SELECT nominee_name FROM nominations WHERE id = ${id})
  END`;
/** The operator's global roles (volunteer left out when there is another), and whether they lead a team. */
const ROLES = sql`(SELECT group_concat(role) FROM user_roles r WHERE r.user_id = a.actor_id)`;
const LEADS = sql`EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = a.actor_id AND ${leadershipRowSql('m')})`;

/** One audit row as the console shows it (and the export writes it). */
export interface AuditRow {
  id: number;
  at: number;
  action: string;
  actorId: number | null;
  actorName: string | null;
  /** 系统管理员、宣传编辑 / 队伍负责人 / 志愿者, or '' for the system. */
  actorRole: string;
  targetType: string | null;
  targetId: string | null;
  /** The object's title, or a person's masked name. */
  targetTitle: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
  detail: string | null;
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function conditions(f: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (f.action) {
    if (f.action.endsWith('.')) {
      if (AUDIT_ACTION_GROUPS.some((g) => g.prefix === f.action)) where.push(sql`a.action LIKE ${`${f.action}%`}`);
      else where.push(sql`0`);
    } else where.push(sql`a.action = ${f.action}`);
  }
  if (f.actorId != null && Number.isSafeInteger(f.actorId)) where.push(sql`a.actor_id = ${f.actorId}`);
  if (f.actorPhone) where.push(sql`a.actor_id IN (SELECT id FROM users WHERE phone = ${f.actorPhone})`);
  if (f.actorName) where.push(sql`a.actor_id IN (SELECT id FROM users WHERE real_name LIKE ${like(f.actorName)} ESCAPE '\\')`);
  if (f.targetType) where.push(sql`a.target_type = ${f.targetType}`);
  if (f.targetId) where.push(sql`a.target_id = ${f.targetId}`);
  if (f.targetTitle) where.push(sql`(${TITLE}) LIKE ${like(f.targetTitle)} ESCAPE '\\'`);
  if (f.from != null && Number.isFinite(f.from)) where.push(sql`a.at >= ${f.from}`);
  if (f.to != null && Number.isFinite(f.to)) where.push(sql`a.at < ${f.to}`);
  return where;
}

function roleText(roles: unknown, leads: unknown, actorId: unknown): string {
  if (actorId == null) return '';
  const list = String(roles ?? '')
    .split(',')
    .filter((r): r is Role => Object.hasOwn(ROLE_LABELS, r) && r !== 'volunteer' && r !== 'legal_aide');
  const names = list.map((r) => ROLE_LABELS[r]);
  if (Number(leads)) names.push('队伍负责人');
  return names.length ? names.join('、') : '志愿者';
}

/** Audit entries newest first, with operator name and role and the object's title, and the total for paging. */
export async function searchAudit(db: Db, f: AuditFilter = {}): Promise<{ rows: AuditRow[]; total: number }> {
  const where = conditions(f);
  const cond = where.length ? sql.join(where, sql` AND `) : sql`1`;
  const [{ n }] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM audit_log a WHERE ${cond}`);
  const limit = Math.max(1, Math.min(f.limit ?? 50, 10_000));
  const offset = Math.max(0, f.offset ?? 0);
  const raw = await db.all<Record<string, unknown>>(sql`SELECT a.id, a.at, a.action, a.actor_id, u.real_name AS actor_name, ${ROLES} AS roles, ${LEADS} AS leads,
      a.target_type, a.target_id, ${TITLE} AS title, ${PERSON} AS person, a.before, a.after, a.ip, a.detail
    FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
    WHERE ${cond} ORDER BY a.at DESC, a.id DESC LIMIT ${limit} OFFSET ${offset}`);
  const str = (v: unknown) => (v == null ? null : String(v));
  const rows = raw.map((r): AuditRow => ({
    id: Number(r.id),
    at: Number(r.at),
    action: String(r.action),
    actorId: r.actor_id == null ? null : Number(r.actor_id),
    actorName: str(r.actor_name),
    actorRole: roleText(r.roles, r.leads, r.actor_id),
    targetType: str(r.target_type),
    targetId: str(r.target_id),
    targetTitle: PERSON_TYPES.has(String(r.target_type)) ? (r.person == null ? null : maskName(String(r.person))) : str(r.title),
    before: str(r.before),
    after: str(r.after),
    ip: str(r.ip),
    detail: str(r.detail),
  }));
  return { rows, total: Number(n) };
}

/** Whether an action filter from a request is one the log knows (a code or a group prefix). */
export function validActionFilter(v: string): boolean {
  return isAuditAction(v) || AUDIT_ACTION_GROUPS.some((g) => g.prefix === v);
}

/** Distinct actions present in the log, for the filter menu. */
export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.all<{ action: string }>(sql`SELECT DISTINCT action FROM audit_log ORDER BY action LIMIT 300`);
  return rows.map((r) => r.action);
}
