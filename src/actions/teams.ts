// Actions for teams: join requests, member management, team registration, admin approval.
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, actionLeader as leader, actionVolunteer as signedIn, formAction } from '../lib/action-guards.ts';
import { clientIp } from '../lib/client-ip.ts';
import { PublicContactSchema, setPublicContact } from '../domain/teams/contact.ts';
import { revealMemberPhone } from '../domain/teams/reveal.ts';
import { backHere } from '../lib/flash.ts';
import { applyToJoin, decideJoin, leaveTeam, manageMember, registerTeam, setTeamStatus, TeamRegistrationSchema } from '../domain/teams/membership.ts';

const id = (label: string) =>
  z
    .number({ error: `缺少${label}` })
    .int()
    .positive();

export const teams = {
  apply: formAction({
    input: z.object({ teamId: id('队伍') }),
    handler: async ({ teamId }, ctx) => {
      const u = signedIn(ctx);
      // 303 back to the team page (issue 18, item 4): a refresh never posts the application again.
      return backHere(ctx, { done: await applyToJoin(await appDb(), teamId, u.id) }, '/me/teams');
    },
  }),
  leave: formAction({
    input: z.object({ teamId: id('队伍') }),
    handler: async ({ teamId }, ctx) => {
      const u = signedIn(ctx);
      await leaveTeam(await appDb(), teamId, u.id);
      return { redirect: '/me/teams' };
    },
  }),
  decide: formAction({
    input: z.object({ teamId: id('队伍'), memberId: id('申请'), decision: z.enum(['approve', 'decline'], { error: '操作不正确' }) }),
    handler: async ({ teamId, memberId, decision }, ctx) => {
      const u = await leader(ctx, teamId, '审核入队申请');
      await decideJoin(await appDb(), u.id, teamId, memberId, decision === 'approve');
      return backHere(ctx, { done: decision }, '/me/teams');
    },
  }),
  manage: formAction({
    input: z.object({ teamId: id('队伍'), memberId: id('队员'), op: z.enum(['coleader', 'member', 'remove'], { error: '操作不正确' }) }),
    handler: async ({ teamId, memberId, op }, ctx) => {
      const u = await leader(ctx, teamId, '调整队员');
      await manageMember(await appDb(), u.id, teamId, memberId, op);
      return backHere(ctx, { done: op }, '/me/teams');
    },
  }),
  /** A leader chooses which number the team's pages publish: their own, the team hotline, or none. */
  setContact: formAction({
    input: PublicContactSchema,
    handler: async (input, ctx) => {
      const u = await leader(ctx, input.teamId, '设置对外联系电话');
      await setPublicContact(await appDb(), u.id, input);
      return backHere(ctx, { done: 'contact' }, '/me/teams');
    },
  }),
  /** A leader reveals one member's full phone to call them; audited, rate-limited (src/domain/teams/reveal.ts). */
  revealPhone: formAction({
    input: z.object({ teamId: id('队伍'), memberId: id('队员') }),
    handler: async ({ teamId, memberId }, ctx) => {
      const u = signedIn(ctx);
      return revealMemberPhone(await appDb(), { id: u.id, ip: clientIp(ctx) }, teamId, memberId);
    },
  }),
  register: formAction({
    input: TeamRegistrationSchema,
    handler: async (input, ctx) => {
      const u = signedIn(ctx);
      await registerTeam(await appDb(), u.id, input);
      return { redirect: '/me/teams?registered=1' };
    },
  }),
  setStatus: formAction({
    input: z.object({ teamId: id('队伍'), to: z.enum(['active', 'suspended', 'declined'], { error: '操作不正确' }) }),
    handler: async ({ teamId, to }, ctx) => {
      const u = actionAbility(ctx, 'teams.approve');
      await setTeamStatus(await appDb(), u.id, teamId, to);
      return backHere(ctx, { done: to }, '/console/teams');
    },
  }),
};
