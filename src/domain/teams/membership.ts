// Joining teams, leaders managing members, volunteers registering teams, admins approving them.
import { z } from 'zod';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, type Statement } from '../../../db/write.ts';
import { teamMembers, teams, users } from '../../../db/schema/index.ts';
import { teamLeaderIdsSql } from '../accounts/policy.ts';
import { auditStatement } from '../audit/index.ts';
import { noticeInsert } from '../notices/index.ts';
import { EVENT_CATEGORIES } from '../events/rules.ts';
import { Refusal } from '../refusal.ts';
import { isPlainLine, isPlainName, plainLineError, plainNameError } from '../../lib/plain-text.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { validRegionPair } from '../regions/index.ts';
import { requirePublicText } from '../public-text.ts';

/** A team action refused. */
export class TeamError extends Refusal {
  constructor(message: string, field?: string) {
    super('BAD_REQUEST', message, field);
    this.name = 'TeamError';
  }
}

/** The user's membership row in a team, if any. */
export async function membershipOf(db: Db, teamId: number, userId: number) {
  const [m] = await db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)));
  return m;
}

/** Volunteer applies to join an active team; a repeat press is idempotent; declined/left may re-apply. */
export async function applyToJoin(db: Db, teamId: number, userId: number): Promise<'pending' | 'active'> {
  const [t] = await db.select().from(teams).where(eq(teams.id, teamId));
  if (!t || t.status !== 'active') throw new TeamError('该队伍暂不接受申请');
  const now = Date.now();
  const written = await guardedWrite(
    db,
    sql`INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (${teamId}, ${userId}, 'member', 'pending', ${now})
    ON CONFLICT (team_id, user_id) DO UPDATE SET status = 'pending', role = 'member', created_at = excluded.created_at, decided_at = NULL
     WHERE team_members.status IN ('declined', 'left', 'removed')`,
    [
      // No name in the notice: notices are other people's rows (and e-mails), which 注销 cannot reach;
      // the linked page names the applicant while the account exists (decision 077).
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
      SELECT l.user_id, 'team.join_request', ${`入队申请：${t.name}`}, '有志愿者申请加入队伍，请到队伍管理页审核。', ${`/me/teams/${t.slug}`}, ${now}
      FROM (${teamLeaderIdsSql(teamId)}) l`,
    ],
  );
  if (!written) {
    const m = await membershipOf(db, teamId, userId);
    return m?.status === 'active' ? 'active' : 'pending';
  }
  return 'pending';
}

/** Volunteer leaves a team (a leader must hand over first). */
export async function leaveTeam(db: Db, teamId: number, userId: number): Promise<void> {
  const m = await membershipOf(db, teamId, userId);
  if (!m || (m.status !== 'active' && m.status !== 'pending')) throw new TeamError('您不在该队伍中');
  if (m.role === 'leader' && m.status === 'active') throw new TeamError('队长不能直接退出，请先将队长移交给其他队员');
  await db.update(teamMembers).set({ status: 'left', decidedAt: Date.now() }).where(eq(teamMembers.id, m.id));
}

/** Leader approves or declines a pending join request. */
export async function decideJoin(db: Db, actorId: number, teamId: number, memberId: number, approve: boolean): Promise<void> {
  const [m] = await db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.id, memberId), eq(teamMembers.teamId, teamId)));
  if (!m || m.status !== 'pending') throw new TeamError('该申请不存在或已处理');
  const [t] = await db.select({ name: teams.name, slug: teams.slug }).from(teams).where(eq(teams.id, teamId));
  const to = approve ? 'active' : 'declined';
  const written = await guardedWrite(
    db,
    db
      .update(teamMembers)
      .set({ status: to, decidedAt: Date.now() })
      .where(and(eq(teamMembers.id, memberId), eq(teamMembers.status, 'pending'))),
    [
      auditStatement({ actorId, action: approve ? 'team.member_approve' : 'team.member_decline', targetType: 'team_member', targetId: memberId, before: { status: 'pending' }, after: { status: to } }),
      noticeInsert(db, {
        userId: m.userId,
        kind: approve ? 'team.join_approved' : 'team.join_declined',
        title: approve ? `入队申请已通过：${t.name}` : `入队申请未通过：${t.name}`,
        body: approve ? '欢迎加入！现在可以报名队内活动。' : '您的入队申请未获通过，可联系队伍负责人了解情况。',
        link: `/teams/${t.slug}`,
      }),
    ],
  );
  if (!written) throw new TeamError('该申请不存在或已处理');
}

/** Leader changes a member's role (member ↔ coleader) or removes them. Only the leader may touch co-leaders. */
export async function manageMember(db: Db, actorId: number, teamId: number, memberId: number, op: 'coleader' | 'member' | 'remove'): Promise<void> {
  const [m] = await db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.id, memberId), eq(teamMembers.teamId, teamId)));
  if (!m || m.status !== 'active') throw new TeamError('该队员不存在');
  if (m.role === 'leader') throw new TeamError('不能更改队长本人');
  const actor = await membershipOf(db, teamId, actorId);
  if (m.role === 'coleader' && actor?.role !== 'leader') throw new TeamError('只有队长可以调整副队长');
  if (op === 'coleader' && actor?.role !== 'leader') throw new TeamError('只有队长可以任命副队长');
  const set = op === 'remove' ? { status: 'removed', decidedAt: Date.now() } : { role: op };
  // Guarded on the row as read: a concurrent change (another leader, a leaver) wins and this one is refused.
  const written = await guardedWrite(
    db,
    db
      .update(teamMembers)
      .set(set)
      .where(and(eq(teamMembers.id, memberId), eq(teamMembers.status, 'active'), eq(teamMembers.role, m.role))),
    [auditStatement({ actorId, action: `team.member_${op}`, targetType: 'team_member', targetId: memberId, before: { role: m.role, status: m.status }, after: set })],
  );
  if (!written) throw new TeamError('该队员的状态刚刚发生变化，请刷新后重试');
}

/** Members and pending requests of a team, for its leaders. */
export async function teamRoster(db: Db, teamId: number) {
  return db
    .select({
      id: teamMembers.id,
      userId: teamMembers.userId,
      role: teamMembers.role,
      status: teamMembers.status,
      createdAt: teamMembers.createdAt,
      realName: users.realName,
      phone: users.phone,
      skills: users.skills,
    })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teamMembers.teamId, teamId), inArray(teamMembers.status, ['active', 'pending'])))
    .orderBy(sql`CASE ${teamMembers.role} WHEN 'leader' THEN 0 WHEN 'coleader' THEN 1 ELSE 2 END`, asc(teamMembers.id));
}

/** Teams a user belongs to or has applied to, and teams they registered that await approval. */
export async function myTeams(db: Db, userId: number) {
  const memberships = await db
    .select({ team: teams, role: teamMembers.role, status: teamMembers.status })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teamMembers.userId, userId), inArray(teamMembers.status, ['active', 'pending'])))
    .orderBy(asc(teams.name));
  const registered = await db
    .select()
    .from(teams)
    .where(and(eq(teams.createdBy, userId), inArray(teams.status, ['pending', 'suspended'])))
    .orderBy(desc(teams.createdAt));
  return { memberships, registered };
}

/** Every team by name, for staff pickers (the 台账 export). */
export async function teamChoices(db: Db): Promise<{ id: number; name: string }[]> {
  return db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(asc(teams.name)).limit(1000);
}

/** A team by slug regardless of status (leader area, console). */
export async function teamBySlug(db: Db, slug: string) {
  const [t] = await db.select().from(teams).where(eq(teams.slug, slug));
  return t;
}

/** The leader area's address of an event: where its forms send the leader back to (303). */
export async function leaderEventPath(db: Db, teamId: number, eventId: number): Promise<string> {
  const [t] = await db.select({ slug: teams.slug }).from(teams).where(eq(teams.id, teamId));
  return `/me/teams/${encodeURIComponent(t?.slug ?? '')}/events/${eventId}`;
}

/** A real calendar day from 1949-10-01 up to today (Shanghai): no year 0001, no February 30th. */
function realPastDay(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day && day >= '1949-10-01' && day <= shanghaiDay(Date.now());
}

/** The team registration form. */
export const TeamRegistrationSchema = z.object({
  name: z.string({ error: '请填写队伍名称' }).trim().refine(isPlainName, plainNameError('队伍名称')).min(4, '队伍名称至少 4 个字').max(40, '队伍名称不超过 40 个字'),
  slug: z
    .string({ error: '请填写队伍网址标识' })
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, '网址标识只能用小写字母、数字和连字符')
    .min(3, '网址标识至少 3 个字符')
    .max(40, '网址标识不超过 40 个字符')
    .refine((s) => s !== 'new', '该网址标识不可用'),
  townId: z.number({ error: '请选择所在乡镇' }).int().positive('请选择所在乡镇'),
  serviceTypes: z
    .array(z.string())
    .min(1, '请至少选择一种服务类型')
    .refine((a) => a.every((x) => EVENT_CATEGORIES.includes(x)), '服务类型不正确'),
  summary: z.string({ error: '请填写一句话简介' }).trim().refine(isPlainLine, plainLineError('简介')).min(4, '简介至少 4 个字').max(100, '简介不超过 100 字'),
  description: z.string().max(20000, '队伍介绍过长').default('').optional(), // outermost optional: a blank field reaches the Action as undefined, not null (see events/manage.ts)
  foundedOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '成立日期格式不正确')
    .refine(realPastDay, '成立日期不正确：应为 1949 年以后、不晚于今天的真实日期')
    .optional(),
});

/** A volunteer registers a new team; it waits for an admin (status pending). */
export async function registerTeam(db: Db, userId: number, input: z.output<typeof TeamRegistrationSchema>): Promise<number> {
  if (!(await validRegionPair(db, input.townId))) throw new TeamError('所选乡镇不存在，请重新选择', 'townId');
  // The team page publishes these once an admin approves it (decision 078).
  await requirePublicText(
    db,
    { name: input.name, summary: input.summary, description: input.description },
    { name: '队伍名称', summary: '一句话简介', description: '队伍介绍' },
    { markdown: ['description'] },
  );
  const [dup] = await db.select({ id: teams.id }).from(teams).where(eq(teams.slug, input.slug));
  if (dup) throw new TeamError('该网址标识已被使用，请换一个', 'slug');
  const [u] = await db.select({ name: users.realName }).from(users).where(eq(users.id, userId));
  const written = await guardedWrite(
    db,
    sql`INSERT INTO teams (slug, name, town_id, service_types, founded_on, summary, description, leader_name, status, created_by, created_at)
    VALUES (${input.slug}, ${input.name}, ${input.townId}, ${JSON.stringify(input.serviceTypes)}, ${input.foundedOn ?? null}, ${input.summary}, ${input.description ?? ''}, ${u?.name ?? null}, 'pending', ${userId}, ${Date.now()})
    ON CONFLICT (slug) DO NOTHING RETURNING id`,
    [auditStatement({ actorId: userId, action: 'team.register', targetType: 'team', targetId: sql`SELECT id FROM teams WHERE slug = ${input.slug}`, after: input })],
  );
  if (!written) throw new TeamError('该网址标识已被使用，请换一个', 'slug');
  return Number(written[0].rows[0].id);
}

/** Teams for the admin console, pending first. */
export async function teamsForReview(db: Db) {
  return db
    .select({ team: teams, creator: users.realName })
    .from(teams)
    .leftJoin(users, eq(users.id, teams.createdBy))
    .orderBy(sql`CASE ${teams.status} WHEN 'pending' THEN 0 WHEN 'suspended' THEN 1 ELSE 2 END`, desc(teams.createdAt))
    .limit(300);
}

/** Admin moves a team: pending → active (registrant becomes leader), active ↔ suspended, pending → declined. */
export async function setTeamStatus(db: Db, actorId: number, teamId: number, to: 'active' | 'suspended' | 'declined'): Promise<void> {
  const [t] = await db.select().from(teams).where(eq(teams.id, teamId));
  if (!t) throw new TeamError('队伍不存在');
  const allowed: Record<string, string[]> = { active: ['pending', 'suspended'], suspended: ['active'], declined: ['pending'] };
  if (!allowed[to].includes(t.status)) throw new TeamError('当前状态不能执行此操作');
  const now = Date.now();
  const followUps: Statement[] = [auditStatement({ actorId, action: `team.${to}`, targetType: 'team', targetId: teamId, before: { status: t.status }, after: { status: to } })];
  if (t.createdBy && t.status === 'pending') {
    if (to === 'active') {
      followUps.push(
        db
          .insert(teamMembers)
          .values({ teamId, userId: t.createdBy, role: 'leader', status: 'active', createdAt: now, decidedAt: now })
          .onConflictDoUpdate({ target: [teamMembers.teamId, teamMembers.userId], set: { role: 'leader', status: 'active', decidedAt: now } }),
      );
    }
    followUps.push(
      noticeInsert(db, {
        userId: t.createdBy,
        kind: `team.${to}`,
        title: to === 'active' ? `队伍注册已通过：${t.name}` : `队伍注册未通过：${t.name}`,
        body: to === 'active' ? '您已成为队长，可以在“我的队伍”中管理队员和发布活动。' : '如有疑问请联系县文明办。',
        link: '/me/teams',
      }),
    );
  }
  const written = await guardedWrite(
    db,
    db
      .update(teams)
      .set({ status: to })
      .where(and(eq(teams.id, teamId), eq(teams.status, t.status))),
    followUps,
  );
  if (!written) throw new TeamError('队伍状态刚刚发生变化，请刷新后重试');
}
