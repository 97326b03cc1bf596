// The primary's wait before starting a worker that died again (src/server/workers.ts): quick after one
// crash, longer for a worker that keeps dying, never so long that a county's site stays half down.
import { describe, expect, test } from 'vitest';
import { restartDelayMs } from '../../src/server/workers.ts';

describe('restart backoff', () => {
  test.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [6, 16_000],
    [7, 30_000],
    [40, 30_000],
  ])('after %i deaths in a row the wait is %i ms', (crashes, ms) => {
    expect(restartDelayMs(crashes)).toBe(ms);
  });
});
