// Page guard for village-scoped work (household 文明积分, issue 21): anonymous → /login, no village role →
// the 403 page naming the role and who grants it; otherwise the villages the user may act for.
import type { SessionUser } from '../domain/accounts/sessions.ts';
import { villagesFor, VILLAGE_ROLE_LABELS, type VillageChoice, type VillageRole } from '../domain/households/roles.ts';
import { appDb } from './db.ts';
import { loginUrl, type GuardContext } from './guards.ts';

/** The user and the villages where they hold `role` (an administrator: every village as clerk), or a Response. */
export async function requireVillageRole(Astro: GuardContext, role: VillageRole): Promise<{ user: SessionUser; villages: VillageChoice[] } | Response> {
  const user = Astro.locals.user;
  if (!user) return Astro.redirect(loginUrl(Astro.url), 303);
  const villages = await villagesFor(await appDb(), user, role);
  if (!villages.length) {
    Astro.locals.forbiddenVillage = VILLAGE_ROLE_LABELS[role];
    return Astro.rewrite('/403');
  }
  return { user, villages };
}
