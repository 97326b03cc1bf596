// Actions for teams: join requests, member management, team registration, admin approval.
import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, actionLeader as leader, actionVolunteer as signedIn, asActionError } from '../lib/action-guards.ts';
import { applyToJoin, decideJoin, leaveTeam, manageMember, registerTeam, setTeamStatus, TeamRegistrationSchema } from '../domain/teams/membership.ts';

const id = (label: string) => z.number({ error: `缺少${label}` }).int().positive();

export const teams = {
  apply: defineAction({
    accept: 'form',
    input: z.object({ teamId: id('队伍') }),
    handler: async ({ teamId }, ctx) => {
      const u = signedIn(ctx);
      try { return { status: await applyToJoin(await appDb(), teamId, u.id) }; } catch (e) { asActionError(e); }
    },
  }),
  leave: defineAction({
    accept: 'form',
    input: z.object({ teamId: id('队伍') }),
    handler: async ({ teamId }, ctx) => {
      const u = signedIn(ctx);
      try { await leaveTeam(await appDb(), teamId, u.id); return { redirect: '/me/teams' }; } catch (e) { asActionError(e); }
    },
  }),
  decide: defineAction({
    accept: 'form',
    input: z.object({ teamId: id('队伍'), memberId: id('申请'), decision: z.enum(['approve', 'decline'], { error: '操作不正确' }) }),
    handler: async ({ teamId, memberId, decision }, ctx) => {
      const u = await leader(ctx, teamId);
      try { await decideJoin(await appDb(), u.id, teamId, memberId, decision === 'approve'); return { done: decision }; } catch (e) { asActionError(e); }
    },
  }),
  manage: defineAction({
    accept: 'form',
    input: z.object({ teamId: id('队伍'), memberId: id('队员'), op: z.enum(['coleader', 'member', 'remove'], { error: '操作不正确' }) }),
    handler: async ({ teamId, memberId, op }, ctx) => {
      const u = await leader(ctx, teamId);
      try { await manageMember(await appDb(), u.id, teamId, memberId, op); return { done: op }; } catch (e) { asActionError(e); }
    },
  }),
  register: defineAction({
    accept: 'form',
    input: TeamRegistrationSchema,
    handler: async (input, ctx) => {
      const u = signedIn(ctx);
      try { await registerTeam(await appDb(), u.id, input); return { redirect: '/me/teams?registered=1' }; } catch (e) { asActionError(e); }
    },
  }),
  setStatus: defineAction({
    accept: 'form',
    input: z.object({ teamId: id('队伍'), to: z.enum(['active', 'suspended', 'declined'], { error: '操作不正确' }) }),
    handler: async ({ teamId, to }, ctx) => {
      const u = actionAbility(ctx, 'teams.approve');
      try { await setTeamStatus(await appDb(), u.id, teamId, to); return { done: to }; } catch (e) { asActionError(e); }
    },
  }),
};
