// src/lib/repeat.ts: recurring jobs run on time, never twice at once, and survive a failure.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { repeatEvery } from '../../src/lib/repeat.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test('runs at once and every interval; a run still going is not doubled; stop stops it', async () => {
  let runs = 0;
  let finish: () => void = () => {};
  const stop = repeatEvery(['测试', 'test'], 1000, () => {
    runs++;
    return new Promise<void>((resolve) => (finish = resolve));
  });
  expect(runs).toBe(1);
  await vi.advanceTimersByTimeAsync(3000); // the first run has not finished: no second one
  expect(runs).toBe(1);
  finish();
  await vi.advanceTimersByTimeAsync(1000);
  expect(runs).toBe(2);
  finish();
  stop();
  await vi.advanceTimersByTimeAsync(5000);
  expect(runs).toBe(2);
});

test('a failure is reported and the next run happens; `immediately: false` waits one interval', async () => {
  const errors: string[] = [];
  let runs = 0;
  const stop = repeatEvery(
    ['测试', 'test'],
    1000,
    async () => {
      runs++;
      if (runs === 1) throw new Error('数据库忙');
    },
    { immediately: false, onError: (e) => errors.push(e.message) },
  );
  expect(runs).toBe(0);
  await vi.advanceTimersByTimeAsync(1000);
  expect([runs, errors]).toEqual([1, ['数据库忙']]);
  await vi.advanceTimersByTimeAsync(1000);
  expect([runs, errors]).toEqual([2, ['数据库忙']]);
  stop();
});

test('the default report names the job in Chinese and English', async () => {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  const stop = repeatEvery(['清理过期记录', 'housekeeping'], 1000, async () => {
    throw new Error('disk full');
  });
  await vi.advanceTimersByTimeAsync(0);
  expect(spy).toHaveBeenCalledWith('清理过期记录失败 / housekeeping failed: disk full');
  stop();
  spy.mockRestore();
});
