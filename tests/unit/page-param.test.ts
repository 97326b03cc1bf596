import { expect, test } from 'vitest';
import { pageParam } from '../../src/lib/ids.ts';

test('a list page number is a positive integer up to the cap, else page 1', () => {
  expect(['3', ' 3 ', 7].map((v) => pageParam(v))).toEqual([3, 3, 7]);
  // 2.5 reached SQLite's OFFSET through `Number(…) || 1` and /articles?page=2.5 answered 500.
  expect([null, '', '0', '-3', '2.5', '1e9', 'NaN', '9'.repeat(30), 2.5].map((v) => pageParam(v))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
  expect([pageParam('20000'), pageParam('20000', 1000), pageParam('999', 1000)]).toEqual([10_000, 1000, 999]);
});
