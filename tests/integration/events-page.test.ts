// The event page's one plain statement (getEventPage) reads what the query builder reads.
import { describe, expect, test } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import { getEventPage } from '../../src/domain/events/public.ts';
import { cancelSignup, signUp } from '../../src/domain/events/signups.ts';
import { myEvents } from '../../src/domain/events/mine.ts';
import { PublicContactSchema, setPublicContact, teamPublicContact } from '../../src/domain/teams/contact.ts';
import { events, signups } from '../../db/schema/index.ts';

describe('getEventPage', () => {
  test('event, team, places, the viewer’s sign-up and leadership — as Drizzle would map them', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader] = await insertUsers(db, 1, { prefix: '152' });
    const teamId = await insertTeam(db, leader, 'page-team');
    const eventId = await insertEvent(db, teamId, { capacity: 1, waitlist: true, dangerous: true, insurance: 'PICC-2026-001', minAge: 16, membersOnly: false, skill: '急救' });
    const town = Number((await db.$client.execute(`INSERT INTO regions (code, name, level, kind, parent_id) VALUES ('t-page', '青溪镇', 'town', '镇', NULL) RETURNING id`)).rows[0].id);
    await db.$client.execute({ sql: 'UPDATE events SET town_id = ?, address = ?, description = ? WHERE id = ?', args: [town, '文化广场', '**带上水杯**', eventId] });
    const [a, b] = await insertUsers(db, 2, { skills: ['急救'] });
    await signUp(db, { eventId, userId: a, secretKey: TEST_KEY });
    await signUp(db, { eventId, userId: b, secretKey: TEST_KEY });

    const [expected] = await db.select().from(events).where(eq(events.id, eventId));
    const anon = await getEventPage(db, eventId, null);
    expect(anon).toEqual({ event: expected, teamName: '测试队伍page-team', teamSlug: 'page-team', townName: '青溪镇', villageName: null, mine: undefined, leads: false, contact: null });
    // Booleans stay booleans, nulls stay null (a column Drizzle decodes must be decoded here too).
    expect(anon!.event.dangerous).toBe(true);
    expect(anon!.event.membersOnly).toBe(false);
    expect(anon!.event.villageId).toBeNull();

    const [mineB] = await db
      .select()
      .from(signups)
      .where(and(eq(signups.eventId, eventId), eq(signups.userId, b)));
    const asB = await getEventPage(db, eventId, { id: b, status: 'active' });
    expect(asB!.mine).toEqual({ ...mineB, position: 1, label: '候补第1位' });
    expect(asB!.mine!.lateCancel).toBe(false);
    expect(asB!.leads).toBe(false);

    const asLeader = await getEventPage(db, eventId, { id: leader, status: 'active' });
    expect(asLeader!.mine).toBeUndefined();
    expect(asLeader!.leads).toBe(true);
    expect((await getEventPage(db, eventId, { id: leader, status: 'suspended' }))!.leads).toBe(false);
  });

  test("the team's public number comes with the page's one statement, as the team page shows it", async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader] = await insertUsers(db, 1, { prefix: '155' });
    const teamId = await insertTeam(db, leader);
    const eventId = await insertEvent(db, teamId);
    const shown = async () => (await getEventPage(db, eventId, null))!.contact;
    expect(await shown()).toBeNull();
    await setPublicContact(db, leader, PublicContactSchema.parse({ teamId, choice: 'hotline', hotline: '0838-7654321' }));
    expect(await shown()).toEqual({ label: '队伍联系电话', phone: '0838-7654321' });
    await setPublicContact(db, leader, PublicContactSchema.parse({ teamId, choice: 'person', hotline: '' }));
    const me = (await db.$client.execute({ sql: 'SELECT phone, real_name FROM users WHERE id = ?', args: [leader] })).rows[0];
    expect(await shown()).toEqual({ label: `负责人 ${String(me.real_name)}`, phone: String(me.phone) });
    expect(await shown()).toEqual(await teamPublicContact(db, teamId));
    // A leader who steps down is no longer published, on either page.
    await db.$client.execute({ sql: `UPDATE team_members SET role = 'member' WHERE team_id = ? AND user_id = ?`, args: [teamId, leader] });
    expect(await shown()).toBeNull();
    expect(await teamPublicContact(db, teamId)).toBeNull();
  });

  test('drafts and unknown ids are not shown', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader] = await insertUsers(db, 1, { prefix: '153' });
    const teamId = await insertTeam(db, leader);
    const draft = await insertEvent(db, teamId, { status: 'draft' });
    expect(await getEventPage(db, draft, null)).toBeUndefined();
    expect(await getEventPage(db, 999_999, null)).toBeUndefined();
  });

  test('/me/events: each waitlisted sign-up comes with its position (read in the same query, moving up as others cancel)', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader] = await insertUsers(db, 1, { prefix: '154' });
    const teamId = await insertTeam(db, leader);
    const one = await insertEvent(db, teamId, { capacity: 1, waitlist: true });
    const other = await insertEvent(db, teamId, { capacity: 1, waitlist: true, startsAt: Date.now() + 9 * 86400_000 });
    const [a, b, c] = await insertUsers(db, 3);
    for (const u of [a, b, c]) await signUp(db, { eventId: one, userId: u });
    await signUp(db, { eventId: other, userId: c });
    const mine = await myEvents(db, c);
    expect(mine.upcoming.map((r) => [r.event.id, r.signup.status, r.position])).toEqual([
      [one, 'waitlisted', 2],
      [other, 'confirmed', null],
    ]);
    await cancelSignup(db, { eventId: one, userId: b });
    expect((await myEvents(db, c)).upcoming[0].position).toBe(1);
  });
});
