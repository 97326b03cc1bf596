// Guard for the leader area /me/teams/<slug>/…: signed in, team exists, user leads it.
import type { AstroGlobal } from 'astro';
import { appDb } from './db.ts';
import { isTeamLeader } from '../domain/accounts/policy.ts';
import { teamBySlug } from '../domain/teams/membership.ts';
import type { SessionUser } from '../domain/accounts/sessions.ts';
import { forbidden, loginUrl } from './guards.ts';

type Team = NonNullable<Awaited<ReturnType<typeof teamBySlug>>>;

/** The user and team when the user leads it; otherwise a redirect, 404 or 403 response. */
export async function requireTeamLeader(Astro: AstroGlobal): Promise<{ user: SessionUser; team: Team } | Response> {
  const user = Astro.locals.user;
  if (!user) return Astro.redirect(loginUrl(Astro.url), 303);
  const db = await appDb();
  const team = await teamBySlug(db, Astro.params.slug ?? '');
  if (!team) return Astro.rewrite('/404');
  if (!(await isTeamLeader(db, user, team.id))) return forbidden(Astro);
  return { user, team };
}
