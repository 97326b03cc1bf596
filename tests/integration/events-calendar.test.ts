// The private calendar feed as a calendar program reads it (issue 19, item 6): ical.js parses what
// /calendar/<token>.ics serves; a cancelled event stays, marked CANCELLED, and SEQUENCE grows.
import { describe, expect, test } from 'vitest';
import ICAL from 'ical.js';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import { signUp } from '../../src/domain/events/signups.ts';
import { setEventStatus } from '../../src/domain/events/manage.ts';
import { privateCalendarIcs, regenerateCalendarToken } from '../../src/domain/events/mine.ts';

const SITE = 'https://shanxing.example';

function readFeed(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  return comp.getAllSubcomponents('vevent').map((v) => ({
    uid: String(v.getFirstPropertyValue('uid')),
    status: String(v.getFirstPropertyValue('status')),
    sequence: Number(v.getFirstPropertyValue('sequence')),
    start: new ICAL.Event(v).startDate.toString(),
  }));
}

describe('private calendar feed', () => {
  test('a moved event gets a higher SEQUENCE; a cancelled one stays as CANCELLED with a higher one still', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader, volunteer] = await insertUsers(db, 2, { prefix: '154' });
    const teamId = await insertTeam(db, leader, 'cal-team');
    const start = Date.UTC(2030, 0, 15, 0, 0); // 08:00 in Shanghai
    const eventId = await insertEvent(db, teamId, { startsAt: start, endsAt: start + 3600_000 });
    await signUp(db, { eventId, userId: volunteer, secretKey: TEST_KEY });
    const token = await regenerateCalendarToken(db, volunteer);

    const first = readFeed((await privateCalendarIcs(db, token, SITE))!);
    expect(first).toEqual([{ uid: `event-${eventId}@shanxing.example`, status: 'CONFIRMED', sequence: 0, start: '2030-01-15T08:00:00' }]);

    await db.$client.execute({ sql: 'UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?', args: [start + 3600_000, start + 7200_000, eventId] });
    const moved = readFeed((await privateCalendarIcs(db, token, SITE))!);
    expect(moved[0].start).toBe('2030-01-15T09:00:00');
    expect(moved[0].sequence).toBeGreaterThan(first[0].sequence);

    await setEventStatus(db, leader, teamId, eventId, 'cancelled');
    const cancelled = readFeed((await privateCalendarIcs(db, token, SITE))!);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].uid).toBe(`event-${eventId}@shanxing.example`);
    expect(cancelled[0].status).toBe('CANCELLED');
    expect(cancelled[0].sequence).toBeGreaterThan(moved[0].sequence);
  });

  test('an unknown token serves nothing', async () => {
    const db = await freshDb({ seed: 'none' });
    expect(await privateCalendarIcs(db, 'a'.repeat(32), SITE)).toBeUndefined();
  });
});
