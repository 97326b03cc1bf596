import { describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { deleteAccount } from '../../src/domain/accounts/profile.ts';
import { signUp } from '../../src/domain/events/signups.ts';

describe('注销 gives back held seats', () => {
  test('a deleted volunteer’s upcoming seat goes to the first on the waitlist', async () => {
    const db = await freshDb({ seed: 'base' });
    const [leader, waiting] = await insertUsers(db, 2);
    const leaving = await createUser(db, TEST_KEY, { phone: '13811112222', password: 'a-long-password-9', realName: '周小雨', birthDate: '1990-01-01' });
    const team = await insertTeam(db, leader);
    const eventId = await insertEvent(db, team, { capacity: 1, waitlist: true });
    expect((await signUp(db, { eventId, userId: leaving })).status).toBe('confirmed');
    expect((await signUp(db, { eventId, userId: waiting })).status).toBe('waitlisted');
    await deleteAccount(db, { secretKey: TEST_KEY, userId: leaving, password: 'a-long-password-9' });
    const rows = await db.$client.execute({ sql: 'SELECT user_id, status FROM signups WHERE event_id = ? ORDER BY user_id', args: [eventId] });
    const byUser = Object.fromEntries(rows.rows.map((r) => [Number(r.user_id), String(r.status)]));
    expect(byUser[leaving]).toBe('cancelled');
    expect(byUser[waiting]).toBe('confirmed');
    const ev = await db.$client.execute({ sql: 'SELECT confirmed_count FROM events WHERE id = ?', args: [eventId] });
    expect(Number(ev.rows[0].confirmed_count)).toBe(1);
  });
});
