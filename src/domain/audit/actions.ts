// The one table of audit action codes and their Chinese names (issue 17, item 4). `auditStatement`
// accepts only these codes, so a new action without a name fails `tsc`; tests/unit/audit-actions.test.ts
// also reads every code written in the source and fails when one has no name here.

/** Every action the portal writes to audit_log, with the name an inspector reads. */
export const AUDIT_ACTIONS = {
  'login.success': '登录成功',
  'login.failure': '登录失败（密码错误）',
  'login.blocked': '登录被频率限制拦截',
  'login.refused': '停用账户尝试登录',
  'user.register': '注册账户',
  'user.create.cli': '命令行创建账户',
  'user.delete': '注销账户',
  'user.disable': '停用账户',
  'user.enable': '恢复账户',
  'role.grant': '授予角色',
  'role.revoke': '撤销角色',
  'password.change': '修改密码',
  'password.reset.issue': '生成密码重置链接',
  'password.reset.sms': '用短信验证码重设密码',
  'password.reset.mail': '用邮件链接重设密码',
  'phone.change': '更换手机号',
  'password.reset.use': '通过链接重置密码',
  'profile.update': '修改个人资料',
  'team.register': '申请成立队伍',
  'team.active': '批准（恢复）队伍',
  'team.suspended': '暂停队伍',
  'team.declined': '驳回成立队伍申请',
  'team.member_approve': '批准入队申请',
  'team.member_decline': '拒绝入队申请',
  'team.member_coleader': '任命副队长',
  'team.member_member': '取消副队长',
  'team.member_remove': '移出队员',
  'team.public_contact': '设置队伍对外联系电话',
  'team.reveal_phone': '查看队员电话',
  'event.create': '创建活动',
  'event.update': '修改活动',
  'event.published': '发布活动',
  'event.cancelled': '取消活动',
  'event.completed': '活动标记为已结束',
  'event.roster_export': '导出报名名单',
  'event.insurance_export': '导出投保名单（含证件号码）',
  'signup.remove': '移出报名志愿者',
  'signup.attended': '登记出勤',
  'signup.no_show': '登记缺勤',
  'hours.create.attendance': '生成签到服务时长',
  'hours.create.leader': '队长录入服务时长',
  'hours.create.claim': '志愿者申报服务时长',
  'hours.confirm': '确认服务时长',
  'hours.decline': '不予确认服务时长',
  'hours.correction.request': '申请更正服务时长',
  'hours.correction.accept': '同意更正服务时长',
  'hours.correction.decline': '驳回更正申请',
  'hours.ledger.export': '导出服务时长台账',
  'certificates.request': '申请服务证明',
  'certificates.issue': '开具服务证明',
  'certificates.decline': '驳回服务证明申请',
  'certificates.revoke': '作废服务证明',
  'article.create': '创建文章',
  'article.slug': '修改文章网址',
  'article.submit': '文章送审',
  'article.return': '退回文章',
  'article.approve': '文章通过一审',
  'article.publish': '发布文章',
  'article.schedule': '文章定时发布',
  'article.publish_scheduled': '定时发布文章',
  'article.unpublish': '撤下文章',
  'article.archive': '归档文章',
  'article.restore': '恢复文章',
  'revision.submit': '修改稿送审',
  'revision.return': '退回修改稿',
  'revision.approve': '修改稿通过一审',
  'revision.publish': '发布修改稿',
  'honors.batch.create': '创建评选批次',
  'honors.batch.update': '修改评选批次',
  'honors.batch.submit': '批次提交公示',
  'honors.batch.publicity': '批次开始公示',
  'honors.batch.return': '退回评选批次',
  'honors.batch.publish': '发布评选结果',
  'honors.honoree.create': '添加候选人',
  'honors.honoree.update': '修改候选人',
  'honors.honoree.withdraw': '撤销候选人',
  'honors.honoree.adoptPhoto': '采用推荐线索中的照片',
  'honors.nomination.verify': '核实推荐线索',
  'honors.nomination.decline': '不采纳推荐线索',
  'honors.nomination.reveal_phone': '查看推荐人电话',
  'honors.nomination.merge': '合并推荐线索',
  'honors.nomination.accept': '推荐线索转为候选人',
  'honors.objection.resolve': '处理公示异议',
  'honors.objection.reveal_contact': '查看异议人联系方式',
  'lecture.accept': '受理宣讲预约',
  'lecture.decline': '拒绝宣讲预约',
  'lecture.schedule': '安排宣讲',
  'lecture.deliver': '宣讲完成登记',
  'lecture.rate': '评价宣讲',
  'lecture.reveal_phone': '查看预约人电话',
  'settings.public_phones': '修改可公开的电话号码',
  'audit.export': '导出审计日志',
} as const;

/** An action code the audit log accepts. */
export type AuditAction = keyof typeof AUDIT_ACTIONS;

const NAMES: Readonly<Record<string, string>> = Object.freeze(Object.assign(Object.create(null), AUDIT_ACTIONS));

/** The Chinese name of an action code; an unknown code (an old row) is shown as 其他操作 with its code. */
export function auditActionName(code: string): string {
  return NAMES[code] ?? `其他操作（${code}）`;
}

/** Whether a string is a known action code (for a filter taken from a request). */
export function isAuditAction(code: string): code is AuditAction {
  return Object.hasOwn(NAMES, code);
}

/** The groups of the filter menu: a prefix and its Chinese name. */
export const AUDIT_ACTION_GROUPS: readonly { prefix: string; name: string }[] = [
  { prefix: 'login.', name: '登录' },
  { prefix: 'user.', name: '账户' },
  { prefix: 'role.', name: '角色' },
  { prefix: 'password.', name: '密码' },
  { prefix: 'phone.', name: '手机号' },
  { prefix: 'team.', name: '队伍' },
  { prefix: 'event.', name: '活动' },
  { prefix: 'signup.', name: '报名与出勤' },
  { prefix: 'hours.', name: '服务时长' },
  { prefix: 'certificates.', name: '服务证明' },
  { prefix: 'article.', name: '文章' },
  { prefix: 'revision.', name: '文章修改稿' },
  { prefix: 'honors.', name: '评选表彰' },
  { prefix: 'lecture.', name: '宣讲预约' },
  { prefix: 'settings.', name: '系统设置' },
  { prefix: 'audit.', name: '审计' },
];
