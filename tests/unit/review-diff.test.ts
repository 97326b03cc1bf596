// The review diff (issue 17.1): replaced lines shown by the words that changed, Chinese by character,
// Latin words and numbers whole; long unchanged stretches folded.
import { describe, expect, test } from 'vitest';
import { foldUnchanged, inlineDiff, reviewDiff } from '../../src/lib/line-diff.ts';

describe('reviewDiff', () => {
  test.each([
    [
      'a number in Chinese text',
      '共走访 35 户',
      '共走访 53 户',
      [
        { op: 'same', text: '共走访 ' },
        { op: 'del', text: '35' },
        { op: 'add', text: '53' },
        { op: 'same', text: ' 户' },
      ],
    ],
    [
      'one character',
      '棉被和米面油',
      '棉被、米面油',
      [
        { op: 'same', text: '棉被' },
        { op: 'del', text: '和' },
        { op: 'add', text: '、' },
        { op: 'same', text: '米面油' },
      ],
    ],
    [
      'a Latin word whole',
      'see PDF file',
      'see DOCX file',
      [
        { op: 'same', text: 'see ' },
        { op: 'del', text: 'PDF' },
        { op: 'add', text: 'DOCX' },
        { op: 'same', text: ' file' },
      ],
    ],
  ])('%s', (_name, before, after, parts) => {
    expect(inlineDiff(before, after)).toEqual(parts);
  });

  test('a replaced line is one changed row; an added line stays an added row', () => {
    expect(reviewDiff('甲\n乙\n丙', '甲\n乙二\n丙\n丁')).toEqual([
      { op: 'same', text: '甲' },
      {
        op: 'change',
        parts: [
          { op: 'same', text: '乙' },
          { op: 'add', text: '二' },
        ],
      },
      { op: 'same', text: '丙' },
      { op: 'add', text: '丁' },
    ]);
  });

  test('unchanged stretches fold to a count, keeping one line of context', () => {
    const rows = reviewDiff(['一', '二', '三', '四', '五', '六'].join('\n'), ['一', '二', '三', '四', '五', '六改'].join('\n'));
    expect(foldUnchanged(rows)).toEqual([
      { op: 'skip', count: 4 },
      { op: 'same', text: '五' },
      {
        op: 'change',
        parts: [
          { op: 'same', text: '六' },
          { op: 'add', text: '改' },
        ],
      },
    ]);
  });
});
