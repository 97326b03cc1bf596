// Page and endpoint guards: anonymous → /login?next=…, signed in without the right → 403 page.
import type { APIContext } from 'astro';
import { can, type Ability } from '../domain/accounts/policy.ts';
import type { SessionUser } from '../domain/accounts/sessions.ts';

/** The login URL that returns to the current page. */
export function loginUrl(url: URL): string {
  return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}

/** What a guard needs: a page's `Astro` and an endpoint's context both fit, so both answer alike. */
export type GuardContext = Pick<APIContext, 'locals' | 'url' | 'redirect' | 'rewrite'>;

/** Returns the signed-in user, or a redirect Response to the login page. */
export function requireUser(Astro: GuardContext): SessionUser | Response {
  const user = Astro.locals.user;
  if (!user) return Astro.redirect(loginUrl(Astro.url), 303);
  return user;
}

/** Returns the user when they hold the ability; a redirect (anonymous) or the 403 page otherwise. */
export async function requireAbility(Astro: GuardContext, ability: Ability): Promise<SessionUser | Response> {
  const user = Astro.locals.user;
  if (!user) return Astro.redirect(loginUrl(Astro.url), 303);
  if (!can(user, ability)) return forbidden(Astro, ability);
  return user;
}

/** Renders the Chinese 403 page with status 403, naming the roles that hold any of `abilities` and who grants them. */
export function forbidden(Astro: GuardContext, ...abilities: Ability[]): Promise<Response> {
  Astro.locals.forbiddenFor = abilities;
  return Astro.rewrite('/403');
}

/** The 403 page for someone who does not lead `teamName`: it names 队长/副队长 and who appoints them. */
export function forbiddenToNonLeader(Astro: GuardContext, teamName: string): Promise<Response> {
  Astro.locals.forbiddenTeam = teamName;
  return Astro.rewrite('/403');
}
