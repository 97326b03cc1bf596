// Guard for the leader area /me/teams/<slug>/…: signed in, team exists, user leads it.
// Leading gives read access; writing also needs an active team (policy.leaderWriteRefusal).
import type { AstroGlobal } from 'astro';
import { appDb } from './db.ts';
import { isTeamLeader, teamAllowsLeaderWrites } from '../domain/accounts/policy.ts';
import { teamBySlug } from '../domain/teams/membership.ts';
import type { SessionUser } from '../domain/accounts/sessions.ts';
import { forbiddenToNonLeader, loginUrl } from './guards.ts';

type Team = NonNullable<Awaited<ReturnType<typeof teamBySlug>>>;

/**
 * The user and team when the user leads it; otherwise a redirect, 404 or 403 response. `writable` is
 * false while the team is suspended (or not yet approved): its leaders still read, but every write is refused.
 */
export async function requireTeamLeader(Astro: AstroGlobal): Promise<{ user: SessionUser; team: Team; writable: boolean } | Response> {
  const user = Astro.locals.user;
  if (!user) return Astro.redirect(loginUrl(Astro.url), 303);
  const db = await appDb();
  const team = await teamBySlug(db, Astro.params.slug ?? '');
  if (!team) return Astro.rewrite('/404');
  if (!(await isTeamLeader(db, user, team.id))) return forbiddenToNonLeader(Astro, team.name);
  return { user, team, writable: teamAllowsLeaderWrites(team.status) };
}

/** What the leader pages say while a team is read-only for its leaders, or null when it is not. */
export function readOnlyNotice(team: { status: string }): string | null {
  if (teamAllowsLeaderWrites(team.status)) return null;
  const state = team.status === 'suspended' ? '该队伍已被暂停' : '该队伍尚未通过审批';
  return `${state}，负责人暂不能发布或修改活动、登记出勤、显示签到码、录入或确认服务时长、出具证明、审核入队申请；已有记录仍可查看和导出。如有疑问请联系县文明实践中心。`;
}
