// 工作日 limits (issue 20, docs/decisions/100): weekends off, the 2026 statutory holidays off and the 调休
// Saturdays/Sundays on, as the State Council's notice for 2026 gives them, all in Beijing time.
import { describe, expect, test } from 'vitest';
import { acceptDeadline, addWorkingDays, isWorkingDay, type WorkCalendar } from '../../src/domain/orders/working-days.ts';

// The 2026 exceptions around 春节 and 国庆 (the migration 0022_order_triage seeds the whole year).
const cal: WorkCalendar = new Map([
  ['2026-02-14', true],
  ...['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23'].map((d) => [d, false] as [string, boolean]),
  ['2026-02-28', true],
  ['2026-09-20', true],
  ...['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'].map((d) => [d, false] as [string, boolean]),
  ['2026-10-10', true],
]);
/** An instant given in Beijing time. */
const bj = (s: string) => Date.parse(`${s}+08:00`);
/** 24:00 Beijing at the end of a day. */
const endOf = (day: string) => bj(`${day}T00:00:00`) + 86400_000;

describe('isWorkingDay', () => {
  test.each([
    ['2026-12-04', true, 'a Friday'],
    ['2026-12-05', false, 'a Saturday'],
    ['2026-10-05', false, '国庆 on a Monday'],
    ['2026-10-10', true, '调休: a working Saturday'],
    ['2026-09-20', true, '调休: a working Sunday'],
    ['2027-01-04', true, 'a Monday of a year with no notice yet: weekends only'],
  ])('%s is a working day: %s (%s)', (day, working) => {
    expect(isWorkingDay(day, cal)).toBe(working);
  });
});

describe('addWorkingDays', () => {
  test.each([
    ['an ordinary week: Tuesday + 3 = Friday', '2026-12-01T10:00:00', 3, '2026-12-04'],
    ['over a weekend: Friday + 1 = Monday', '2026-12-04T10:00:00', 1, '2026-12-07'],
    ['国庆: 30 September + 3 = 8, 9 and the 调休 Saturday 10 October', '2026-09-30T10:00:00', 3, '2026-10-10'],
    ['国庆: accepted on a holiday, + 1 = the first day back', '2026-10-03T10:00:00', 1, '2026-10-08'],
    ['调休 Sunday before 国庆: Friday 18 September + 1 = Sunday 20', '2026-09-18T10:00:00', 1, '2026-09-20'],
    ['春节: Friday 13 February + 1 = the 调休 Saturday 14', '2026-02-13T10:00:00', 1, '2026-02-14'],
    ['春节: Friday 13 February + 2 = Tuesday 24, after nine days off', '2026-02-13T10:00:00', 2, '2026-02-24'],
    ['春节: the 调休 Saturday 28 February counts', '2026-02-26T10:00:00', 2, '2026-02-28'],
    ['n = 0 on a working day: the end of that day', '2026-12-01T23:30:00', 0, '2026-12-01'],
    ['n = 0 on a holiday: the end of the next working day', '2026-10-03T10:00:00', 0, '2026-10-08'],
    ['Beijing, not UTC: 00:30 Beijing on Wednesday is Tuesday in UTC', '2026-12-02T00:30:00', 1, '2026-12-03'],
  ])('%s', (_name, start, n, day) => {
    expect(addWorkingDays(bj(start), n, cal)).toBe(endOf(day));
  });
});

describe('acceptDeadline ("当日受理")', () => {
  test.each([
    ['in office hours: the same day', '2026-12-01T09:00:00', '2026-12-01'],
    ['after 17:00: the next working day', '2026-12-01T18:00:00', '2026-12-02'],
    ['on a Saturday: Monday', '2026-12-05T10:00:00', '2026-12-07'],
    ['on 国庆 day: the first day back', '2026-10-01T10:00:00', '2026-10-08'],
    ['on the eve of 国庆 after hours: the first day back', '2026-09-30T20:00:00', '2026-10-08'],
  ])('%s', (_name, at, day) => {
    expect(acceptDeadline(bj(at), 24, cal)).toBe(endOf(day));
  });

  test('a 48-hour limit is two working days: the arrival day and the next', () => {
    expect(acceptDeadline(bj('2026-12-04T09:00:00'), 48, cal)).toBe(endOf('2026-12-07'));
  });
});
