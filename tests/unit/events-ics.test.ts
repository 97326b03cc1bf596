// iCalendar text rules and roster neutralisation.
import { describe, expect, test } from 'vitest';
import ICAL from 'ical.js';
import { escapeText, foldLine, renderCalendar } from '../../src/domain/events/ics.ts';
import { neutralise, rosterCsv } from '../../src/domain/events/export.ts';
import { ageOn, overlapMinutes } from '../../src/domain/events/rules.ts';

describe('ics', () => {
  test('escapes TEXT special characters', () => {
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
  });

  test('folds long lines at 75 octets without splitting a Chinese character', () => {
    const line = 'SUMMARY:' + '志愿服务'.repeat(30);
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => Buffer.byteLength(p) <= 75)).toBe(true);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
  });

  test('a feed with several events round-trips through ical.js', () => {
    const start = Date.UTC(2030, 0, 15, 0, 0); // 08:00 Shanghai
    const text = renderCalendar(
      [
        { id: 1, title: '一', description: '第一行\n第二行', location: '城关镇, 东门社区', startsAt: start, endsAt: start + 3600_000, status: 'published', url: 'http://x/events/1' },
        { id: 2, title: '二', description: '', location: '', startsAt: start + 86400_000, endsAt: start + 86400_000 + 7200_000, status: 'cancelled', url: 'http://x/events/2' },
      ],
      { host: 'example.org', name: '我的志愿活动', now: start },
    );
    expect(text.endsWith('\r\n')).toBe(true);
    const comp = new ICAL.Component(ICAL.parse(text));
    const evs = comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(evs.map((e) => e.uid)).toEqual(['event-1@example.org', 'event-2@example.org']);
    expect(evs[0].description).toBe('第一行\n第二行');
    expect(evs[0].location).toBe('城关镇, 东门社区');
    expect(evs[0].startDate.toString()).toBe('2030-01-15T08:00:00');
    expect(comp.getAllSubcomponents('vevent')[1].getFirstPropertyValue('status')).toBe('CANCELLED');
  });
});

describe('roster export', () => {
  test.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx'])('neutralises %j', (v) => {
    expect(neutralise(v)).toBe(`'${v}`);
  });
  test('leaves ordinary text alone and quotes CSV cells', () => {
    expect(neutralise('张三')).toBe('张三');
    const csv = rosterCsv([
      { seq: 1, realName: '李,四', volunteerNo: null, phone: '13812341234', status: 'confirmed', lateCancel: true, checkinAt: null, checkoutAt: null, proposedMinutes: null, removedReason: null },
    ]);
    expect(csv).toContain('1,"李,四",,138****1234,已报名,是');
  });
});

describe('rules', () => {
  test('age counts whole years on the Shanghai day', () => {
    expect(ageOn('2012-06-01', Date.UTC(2030, 4, 31, 12))).toBe(17);
    expect(ageOn('2012-06-01', Date.UTC(2030, 4, 31, 16, 30))).toBe(18); // already 06-01 in Shanghai
  });
  test('proposed minutes are the overlap with the event window', () => {
    const s = Date.UTC(2030, 0, 1, 1),
      e = s + 2 * 3600_000;
    expect(overlapMinutes(s - 600_000, e + 600_000, s, e)).toBe(120);
    expect(overlapMinutes(s + 30 * 60_000, s + 75 * 60_000, s, e)).toBe(45);
    expect(overlapMinutes(e + 1, e + 2, s, e)).toBe(0);
  });
});
