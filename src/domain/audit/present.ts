// An audit row's before/after as a field-by-field difference an inspector can read: Chinese field
// labels, Beijing times instead of epoch milliseconds, Chinese status names, no JSON. The console page
// and the XLSX export both use it, so the export never holds more than the page shows.
import { formatDateTime } from '../../lib/time.ts';
import { ROLE_LABELS } from '../accounts/policy.ts';

/** One changed field: its label and the value before and after ('' when there is no side). */
export interface AuditChange {
  label: string;
  before: string;
  after: string;
}

const table = <T>(entries: Record<string, T>): Readonly<Record<string, T>> => Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));

const FIELD_LABELS = table({
  status: '状态',
  step: '审核步骤',
  reason: '理由',
  decision: '处理意见',
  startsAt: '开始时间',
  endsAt: '结束时间',
  minutes: '时长',
  totalMinutes: '合计时长',
  proposedMinutes: '登记时长',
  userId: '账户编号',
  teamId: '队伍编号',
  teamIds: '队伍范围',
  eventId: '活动编号',
  recordId: '时长记录编号',
  correctionId: '更正申请编号',
  batchId: '批次编号',
  revisionId: '修改稿编号',
  fromRevision: '来源修改稿编号',
  lecturerId: '宣讲人编号',
  code: '验证码',
  auto: '系统自动开具',
  asStaff: '以县中心工作人员身份',
  role: '队内职务',
  roles: '角色',
  title: '标题',
  name: '名称',
  period: '评选周期',
  intro: '简介',
  slug: '网址标识',
  summary: '简介',
  description: '说明',
  publishAt: '定时发布时间',
  rating: '评分',
  audience: '实际听众人数',
  photos: '照片数',
  photoMediaId: '照片编号',
  startDay: '公示开始日',
  endDay: '公示结束日',
  from: '起始日期',
  to: '截止日期',
  rows: '导出行数',
  total: '符合条件条数',
  filter: '筛选条件',
  termsVersion: '用户协议版本',
  privacyVersion: '隐私政策版本',
  minor: '未成年人',
  guardianConsent: '监护人同意',
  townId: '乡镇编号',
  villageId: '村（社区）编号',
  skills: '技能',
  email: '电子邮箱',
  publishConsent: '同意公开姓名',
  category: '类别',
  risks: '风险提示',
  address: '地点',
  signupOpensAt: '报名开始时间',
  signupClosesAt: '报名截止时间',
  capacity: '名额',
  waitlistEnabled: '允许候补',
  dangerous: '高风险活动',
  insurancePolicy: '保险保单号',
  minAge: '最低年龄',
  membersOnly: '仅限本队队员',
  requiredSkill: '所需技能',
  confirmedCount: '已报名人数',
  serviceTypes: '服务类型',
  foundedOn: '成立日期',
  epithet: '称号',
  kind: '类型',
  identity: '身份',
  gender: '性别',
  birthYear: '出生年份',
  deeds: '事迹',
  photoConsent: '同意公开照片',
  consentNote: '同意记录',
  nameConsent: '同意公开姓名',
  declineReason: '未采纳理由',
  mergedInto: '合并到',
  outcome: '处理结果',
  resolution: '处理意见',
  note: '备注',
  updatedAt: '修改时间',
  createdAt: '创建时间',
  createdBy: '创建人编号',
  decidedAt: '处理时间',
  skill: '适合的服务类型',
  needsVisit: '需上门',
  individual: '可由志愿者个人认领（微心愿）',
  acceptHours: '受理时限（小时）',
  dispatchHours: '派单时限（小时）',
  finishDays: '办结时限（工作日）',
  active: '在菜单上',
  sort: '菜单顺序',
});

/** Fields never shown: secrets and bookkeeping that say nothing to an inspector. */
const HIDDEN = new Set(['checkinSecret', 'passwordHash', 'idNumberEnc', 'idNumberHash', 'id']);

const STATUS_LABELS = table({
  pending: '待处理',
  confirmed: '已确认',
  declined: '未通过',
  active: '正常',
  suspended: '已暂停',
  removed: '已移出',
  disabled: '已停用',
  deleted: '已注销',
  draft: '草稿',
  submitted: '已送审',
  in_review: '审核中',
  returned: '已退回',
  published: '已发布',
  scheduled: '定时发布',
  unpublished: '已撤下',
  archived: '已归档',
  cancelled: '已取消',
  completed: '已结束',
  attended: '已出勤',
  no_show: '缺勤',
  waitlisted: '候补',
  refused: '已拒绝',
  requested: '已申请',
  issued: '已开具',
  revoked: '已作废',
  publicity: '公示中',
  review: '待终审',
  candidate: '候选（公示）',
  withdrawn: '已撤销',
  new: '待核实',
  verified: '已核实',
  merged: '已合并',
  accepted: '已受理',
  open: '待处理',
  resolved: '已处理',
  delivered: '已完成',
  leader: '队长',
  coleader: '副队长',
  member: '队员',
});

const TIME_KEY = /(At|_at)$/;

/** The Chinese label of a before/after field. */
export function fieldLabel(key: string): string {
  return FIELD_LABELS[key] ?? `其他（${key}）`;
}

/** A before/after value as text: times in Beijing time, statuses and roles in Chinese, yes/no, lists joined. */
export function formatAuditValue(key: string, v: unknown): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') {
    if (TIME_KEY.test(key) && v > 1e11) return formatDateTime(v);
    if (/[mM]inutes$/.test(key)) return `${v} 分钟（${Math.round((v / 60) * 100) / 100} 小时）`;
    return String(v);
  }
  if (typeof v === 'string') {
    if (key === 'status' || key === 'role') return STATUS_LABELS[v] ?? v;
    if (/^\[.*\]$/.test(v)) {
      try {
        return formatAuditValue(key, JSON.parse(v));
      } catch {
        return v;
      }
    }
    return v.length > 500 ? `${v.slice(0, 500)}…` : v;
  }
  if (Array.isArray(v)) {
    if (key === 'roles') return v.map((r) => (Object.hasOwn(ROLE_LABELS, r) ? ROLE_LABELS[r as keyof typeof ROLE_LABELS] : String(r))).join('、') || '—';
    return v.map((x) => formatAuditValue(key, x)).join('、') || '—';
  }
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .filter(([k, x]) => !HIDDEN.has(k) && x !== undefined)
      .map(([k, x]) => `${fieldLabel(k)}：${formatAuditValue(k, x)}`)
      .join('；');
  }
  return String(v);
}

function parse(text: string | null): unknown {
  if (text == null || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The fields an entry changed: for an update the fields whose value differs (before → after), for a
 * creation the values written, for a removal the values before. Fields only the before side names are
 * not changes (event.update keeps the whole row before and the edited columns after). Any stored JSON is accepted.
 */
export function auditChanges(beforeText: string | null, afterText: string | null): AuditChange[] {
  const before = parse(beforeText);
  const after = parse(afterText);
  if (before === undefined && after === undefined) return [];
  if (!isRecord(before) && !isRecord(after)) {
    return [{ label: '内容', before: before === undefined ? '' : formatAuditValue('', before), after: after === undefined ? '' : formatAuditValue('', after) }];
  }
  const b = isRecord(before) ? before : undefined;
  const a = isRecord(after) ? after : undefined;
  const keys = a ? Object.keys(a) : Object.keys(b!);
  const out: AuditChange[] = [];
  for (const k of keys) {
    if (HIDDEN.has(k)) continue;
    const bv = b?.[k];
    const av = a?.[k];
    if (b && a && JSON.stringify(bv) === JSON.stringify(av)) continue;
    out.push({ label: fieldLabel(k), before: b && k in b ? formatAuditValue(k, bv) : '', after: a && k in a ? formatAuditValue(k, av) : '' });
  }
  return out;
}

/** One line of text per change, for a spreadsheet cell: "状态：待处理 → 已确认". */
export function auditChangesText(changes: AuditChange[]): string {
  return changes.map((c) => (c.before && c.after ? `${c.label}：${c.before} → ${c.after}` : c.after ? `${c.label}：${c.after}` : `${c.label}：${c.before}（原值）`)).join('\n');
}
