// The A3 poster's sheets and rows (issue 19 item 4): every sheet filled, short rows get wider cards, no nearly empty sheet.
import { describe, expect, test } from 'vitest';
import { posterColumns, posterRows, posterSheets } from '../../src/domain/honors/poster.ts';

const shape = (n: number) => posterSheets(Array.from({ length: n }, (_, i) => i)).map((rows) => rows.map((r) => r.length));

describe('poster layout', () => {
  test.each([
    [1, [[1]]],
    [2, [[1, 1]]],
    [3, [[2, 1]]],
    [5, [[3, 2]]],
    [7, [[3, 2, 2]]],
    [12, [[3, 3, 3, 3]]],
    [20, [[4, 4, 4, 4, 4]]],
    [30, [[5, 5, 5, 5, 5, 5]]],
    [
      31,
      [
        [4, 4, 4, 4],
        [4, 4, 4, 3],
      ],
    ],
    [
      61,
      [
        [5, 4, 4, 4, 4],
        [5, 4, 4, 4, 4],
        [4, 4, 4, 4, 3],
      ],
    ],
  ])('%i honorees → rows per sheet %j', (n, rows) => {
    expect(shape(n)).toEqual(rows);
  });

  test('every honoree is placed once, in order; no sheet holds more than 30', () => {
    for (let n = 1; n <= 95; n++) {
      const sheets = posterSheets(Array.from({ length: n }, (_, i) => i));
      expect(sheets.flat(2)).toEqual(Array.from({ length: n }, (_, i) => i));
      for (const s of sheets) expect(s.flat().length).toBeLessThanOrEqual(30);
    }
    expect(posterRows([])).toEqual([]);
    expect(posterColumns(1)).toBe(1);
  });
});
