// The audit filter as a GET form sends it (/console/audit and /console/audit.xlsx read the same query):
// well-formed values only, a Chinese message for a field that is not, and the filter in words for the
// export's title row.
import { fromShanghai } from '../../lib/time.ts';
import { maskPhone } from '../../lib/pii.ts';
import { AUDIT_ACTION_GROUPS, auditActionName, isAuditAction } from './actions.ts';
import { AUDIT_TARGET_TYPES, type AuditFilter } from './search.ts';

/** The form's values as typed (to refill the form and build links). */
export interface AuditQuery {
  action: string;
  who: string;
  type: string;
  target: string;
  from: string;
  to: string;
}

export interface ParsedAuditQuery {
  query: AuditQuery;
  filter: AuditFilter;
  /** Field → Chinese message for values the filter could not use. */
  errors: Partial<Record<keyof AuditQuery, string>>;
  /** The filter in words: 操作：…；操作人：…；对象：…；日期：… */
  description: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayInstant(d: string): number | undefined {
  if (!DAY.test(d)) return undefined;
  try {
    const ms = fromShanghai(d);
    return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10) === d ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the filter from a query string; bad values are left out of the filter and named in `errors`. */
export function parseAuditQuery(sp: URLSearchParams): ParsedAuditQuery {
  const get = (k: string, max: number) => (sp.get(k) ?? '').trim().slice(0, max);
  const query: AuditQuery = { action: get('action', 60), who: get('who', 30), type: get('type', 30), target: get('target', 60), from: get('from', 10), to: get('to', 10) };
  const errors: ParsedAuditQuery['errors'] = {};
  const filter: AuditFilter = {};
  const words: string[] = [];
  if (query.action) {
    const group = AUDIT_ACTION_GROUPS.find((g) => g.prefix === query.action);
    if (group) words.push(`操作：${group.name}（全部）`);
    else if (isAuditAction(query.action)) words.push(`操作：${auditActionName(query.action)}`);
    else errors.action = '请从列表中选择操作';
    if (!errors.action) filter.action = query.action;
  }
  if (query.who) {
    if (/^1[3-9]\d{9}$/.test(query.who)) {
      filter.actorPhone = query.who;
      words.push(`操作人：手机号 ${maskPhone(query.who)}`);
    } else if (/^\d{1,10}$/.test(query.who)) {
      filter.actorId = Number(query.who);
      words.push(`操作人：编号 ${query.who}`);
    } else {
      filter.actorName = query.who;
      words.push(`操作人：姓名含“${query.who}”`);
    }
  }
  if (query.type) {
    if (Object.hasOwn(AUDIT_TARGET_TYPES, query.type)) filter.targetType = query.type;
    else errors.type = '请从列表中选择对象类型';
  }
  if (query.target) {
    if (/^\d{1,10}$/.test(query.target)) filter.targetId = query.target;
    else filter.targetTitle = query.target;
  }
  if (filter.targetType || query.target) {
    const type = filter.targetType ? AUDIT_TARGET_TYPES[filter.targetType] : '';
    const which = filter.targetId ? ` #${filter.targetId}` : filter.targetTitle ? ` 标题含“${filter.targetTitle}”` : '';
    words.push(`对象：${type}${which}`.replace('： ', '：'));
  }
  const from = query.from ? dayInstant(query.from) : undefined;
  const to = query.to ? dayInstant(query.to) : undefined;
  if (query.from && from === undefined) errors.from = '请输入有效日期，如 2026-12-01';
  if (query.to && to === undefined) errors.to = '请输入有效日期，如 2026-12-31';
  if (from !== undefined && to !== undefined && to < from) errors.to = '截止日期不能早于起始日期';
  if (!errors.from && !errors.to) {
    if (from !== undefined) filter.from = from;
    if (to !== undefined) filter.to = to + 86400_000;
    if (from !== undefined || to !== undefined) words.push(`日期：${query.from || '最早'} 至 ${query.to || '今天'}`);
  }
  return { query, filter, errors, description: words.length ? words.join('；') : '全部记录' };
}

/** The query string of a filter (for pages, the export link). */
export function auditQueryString(q: AuditQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...extra })) if (v) params.set(k, v);
  return params.toString();
}
