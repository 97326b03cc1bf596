// Shanghai date formatting without ICU per call must read exactly as Intl's zh-CN output.
import { expect, test } from 'vitest';
import { formatDate, formatDateTime, formatTime } from '../../src/lib/time.ts';

test('formatDate / formatDateTime / formatTime equal Intl zh-CN in Asia/Shanghai, 1992–2040', () => {
  const date = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' });
  const dateTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  const mismatches: string[] = [];
  for (let ms = Date.UTC(1992, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 7 * 3600_000 + 13 * 60_000 + 17_000) {
    if (formatDate(ms) !== date.format(ms)) mismatches.push(`${ms}: ${formatDate(ms)} ≠ ${date.format(ms)}`);
    if (formatDateTime(ms) !== dateTime.format(ms)) mismatches.push(`${ms}: ${formatDateTime(ms)} ≠ ${dateTime.format(ms)}`);
    if (formatTime(ms) !== dateTime.format(ms).slice(-5)) mismatches.push(`${ms}: ${formatTime(ms)}`);
  }
  expect(mismatches.slice(0, 5)).toEqual([]);
  expect(formatDate(Date.UTC(2026, 10, 21, 16, 30))).toBe('2026年11月22日');
  expect(formatDateTime(Date.UTC(2026, 10, 22, 1, 5))).toBe('2026/11/22 09:05');
});
