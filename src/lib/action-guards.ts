// Guards for Actions (public endpoints): who is calling, and may they? Errors are Chinese ActionErrors.
import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import type { z } from 'astro/zod';
import { appDb } from './db.ts';
import { can, leaderWriteRefusal, type Ability } from '../domain/accounts/policy.ts';
import type { SessionUser } from '../domain/accounts/sessions.ts';
import { Refusal, withoutStackTrace } from '../domain/refusal.ts';

/** The signed-in user, or UNAUTHORIZED. */
export function actionUser(ctx: Pick<ActionAPIContext, 'locals'>): SessionUser {
  const u = ctx.locals.user;
  if (!u) throw new ActionError({ code: 'UNAUTHORIZED', message: '请先登录' });
  return u;
}

/** The signed-in registered volunteer, or UNAUTHORIZED / FORBIDDEN. */
export function actionVolunteer(ctx: Pick<ActionAPIContext, 'locals'>): SessionUser {
  const u = actionUser(ctx);
  if (!can(u, 'volunteer.act')) throw new ActionError({ code: 'FORBIDDEN', message: '只有注册志愿者可以执行此操作' });
  return u;
}

/**
 * The signed-in leader (or co-leader) of the team who may write to it now, or UNAUTHORIZED /
 * FORBIDDEN — a suspended team's leaders are refused, saying so (`doing` names the attempt).
 */
export async function actionLeader(ctx: Pick<ActionAPIContext, 'locals'>, teamId: number, doing?: string): Promise<SessionUser> {
  const u = actionUser(ctx);
  const refusal = await leaderWriteRefusal(await appDb(), u.id, teamId, doing);
  if (refusal) throw new ActionError({ code: refusal.status, message: refusal.message });
  return u;
}

/** The signed-in user holding one of the abilities, or UNAUTHORIZED / FORBIDDEN. */
export function actionAbility(ctx: Pick<ActionAPIContext, 'locals'>, ...abilities: Ability[]): SessionUser {
  const u = actionUser(ctx);
  if (!abilities.some((a) => can(u, a))) throw new ActionError({ code: 'FORBIDDEN', message: '您没有权限执行此操作' });
  return u;
}

/**
 * The ActionError for a domain Refusal; anything else is rethrown as it is. A refusal that
 * names a field is serialised like Astro's own input errors, so the page shows it next to
 * that field (lib/forms.ts fieldErrors; errorMessage for forms without per-field slots).
 */
function asActionError(e: unknown): never {
  if (!(e instanceof Refusal)) throw e;
  throw refusalActionError(e);
}

/** The ActionError a form shows for a domain Refusal (what asActionError throws; built without a stack trace). */
export function refusalActionError(e: Refusal): ActionError {
  return withoutStackTrace(() => {
    const err = new ActionError({ code: e.status, message: e.message });
    if (!e.field) return err;
    const messages = e.fieldMessages ?? { [e.field]: e.message };
    return Object.assign(err, {
      type: 'AstroActionInputError',
      issues: Object.entries(messages).map(([field, message]) => ({ code: 'custom', path: [field], message })),
      fields: Object.fromEntries(Object.entries(messages).map(([field, message]) => [field, [message]])),
    });
  });
}

/**
 * Every Action of the portal: a form Action whose handler may let any domain Refusal escape —
 * it reaches the form as the matching ActionError (next to its field when it names one), so no
 * handler maps refusals itself (docs/decisions/075).
 */
export function formAction<TInput extends z.ZodType, TOutput>(def: { input: TInput; handler: (input: z.output<TInput>, ctx: ActionAPIContext) => Promise<TOutput> }) {
  // Astro's handler type is conditional on the schema, which TypeScript cannot resolve for a generic one.
  const handler = async (input: unknown, ctx: ActionAPIContext) => {
    try {
      return await def.handler(input as z.output<TInput>, ctx);
    } catch (e) {
      asActionError(e); // never a 500 for user input
    }
  };
  return defineAction<TOutput, 'form', TInput>({ accept: 'form', input: def.input, handler: handler as never });
}
