// Issue 18, item 4: a successful form never answers its POST with a page (a refresh would post it
// again: a second 普法 order, a second application). Every Action of the `server` object is posted
// the way a browser form does, as the first kind of user the access matrix allows; a success must be
// a 303, a refusal a 4xx — never a 200 page. The few exceptions are listed with their reason.
import { describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { ACTIONS } from '../fixtures/access-matrix.ts';
import { listActions } from '../helpers/inventory.ts';
import { trustPortalHooks } from '../helpers/portal.ts';
import { sessionCookieFor } from '../helpers/session.ts';
import { postAction, toFormData, type Actors, type Kind, type Q } from '../helpers/trust.ts';
import type { RunningServer } from '../helpers/server.ts';
import type { Ctx } from '../fixtures/access-matrix.ts';

/**
 * Actions whose success is a page on purpose. Each shows something that must not travel in a URL
 * (a full phone number, a one-time reset link) or a per-person report that cannot; none of them can
 * duplicate a record when repeated (docs/decisions/089).
 */
const PAGE_ANSWERS: Record<string, string> = {
  'orders.revealPhone': 'shows a service order requester’s full phone once, audited; a URL would keep it in history and logs',
  'honors.revealObjectionContact': 'shows an objector’s full contact once, audited',
  'accounts.issueReset': 'shows a one-time reset link; it must not sit in a URL',
  'hours.leaderEntry': 'per-volunteer report; a repeat is refused per person by the no-overlap rule',
  'hours.fromAttendance': 'per-volunteer report; one hour record per sign-up (unique index)',
  'teams.revealPhone': 'shows a member’s full phone once to their leader, audited',
  'households.revealPhone': 'shows a household’s full phone once to its village’s clerk, audited',
  'honors.revealNominatorPhone': 'shows a nominator’s full phone once to staff for the verification call, audited',
  'articles.inlineImage': 'called by the editor’s script, not a form: answers the uploaded image’s address as data; a repeat adds one library image and changes no article',
  'accounts.sendRegisterCode': 'sends a code and re-shows the form with what was typed (name, ID type …), which must not sit in a URL; a refresh is held by the 60 s resend limit',
  'accounts.sendResetCode': 'sends a code and shows the code form for that phone, which must not sit in a URL; a refresh is held by the 60 s resend limit',
  'accounts.sendPhoneCode': 'sends a code to a new phone and shows the code form for it, which must not sit in a URL; a refresh is held by the 60 s resend limit',
};

/** The kinds tried first: the least privileged one the matrix allows makes the most realistic success. */
const PREFERENCE: Kind[] = ['anonymous', 'volunteer', 'owner', 'leaderB', 'editor', 'reviewer', 'admin'];

/** Actions named in the issue: their sample must succeed here, so the 303 is really checked. */
const MUST_SUCCEED = ['legal.order', 'teams.apply', 'teams.decide', 'hours.confirm', 'hours.decline', 'hours.acceptCorrection', 'hours.revokeCertificate', 'honors.nominate'];

let server: RunningServer;
let q: Q;
let actors: Actors;
let ctx: Ctx;
trustPortalHooks((p: { server: RunningServer; q: Q; actors: Actors; ctx: Ctx }, _b: Browser) => {
  ({ server, q, actors, ctx } = p);
});

describe('every successful form answers 303 (post/redirect/get)', () => {
  test('no Action answers a form POST with a 200 page; the exception list is short and still exists', async () => {
    const answers: Record<string, string> = {};
    for (const name of listActions()) {
      const row = ACTIONS[name];
      const kind = PREFERENCE.find((k) => row.who[k] === 'allowed');
      if (!kind) continue;
      const a = await postAction(server, name, toFormData(await row.input(ctx)), { cookie: actors.cookies[kind], page: '/' });
      answers[name] = `${a.status}${a.location ? ' → ' + a.location : ''}`;
      if (row.renewsSessions) for (const [k, id] of Object.entries(actors.ids)) actors.cookies[k as Kind] = (await sessionCookieFor(server.dbUrl, id)).cookie;
    }
    const pages = Object.entries(answers).filter(([name, a]) => a.startsWith('200') && !PAGE_ANSWERS[name]);
    expect(pages, 'successful forms answered with a page instead of a 303').toEqual([]);
    expect(Object.entries(answers).filter(([, a]) => a.startsWith('5'))).toEqual([]);
    expect(Object.keys(PAGE_ANSWERS).filter((n) => !answers[n])).toEqual([]);
    expect(MUST_SUCCEED.filter((n) => !answers[n]?.startsWith('303'))).toEqual([]);
  });

  test('refreshing the 普法 order confirmation does not order again', async () => {
    const town = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
    const village = await q.one("SELECT id FROM regions WHERE level = 'village' AND parent_id = ? ORDER BY id LIMIT 1", [town]);
    // A 普法 order is a service order of the lecture item (docs/decisions/101).
    const count = () => q.one('SELECT count(*) FROM service_orders WHERE lecture IS NOT NULL');
    const before = await count();
    const a = await postAction(
      server,
      'legal.order',
      toFormData({
        topic: '反电信诈骗',
        townId: town,
        villageId: village,
        audienceType: '村（居）民',
        audienceExpected: 30,
        preferredDates: '12月9日上午',
        requesterName: '李主任',
        requesterPhone: '13812340000',
      }),
      { page: '/legal/order' },
    );
    expect(a.status).toBe(303);
    expect(a.location).toMatch(/^\/services\/ordered\?no=DD-\d{4}-[A-Z0-9]{6}$/);
    // The browser's refresh is now a GET of that page: it shows the number again and orders nothing.
    for (let i = 0; i < 2; i++) {
      const page = await fetch(server.url + a.location!);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain('点单已提交');
      expect(html).toMatch(/DD-\d{4}-[A-Z0-9]{6}/);
    }
    expect(await count()).toBe(before + 1);
  });
});
