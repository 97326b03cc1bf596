import { describe, expect, test } from 'vitest';
import { checkFields, checkWordings, findPersonalData, luhnValid, maskAt, maskCard } from '../../src/domain/articles/personal-data.ts';
import { readerText } from '../../src/lib/reader-text.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { lineDiff } from '../../src/lib/line-diff.ts';

const ID = makeIdNumber('1985-03-12', 7); // valid checksum
const badId = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');
const CARD = '6222020200001234561'; // 19 digits
const luhnCard = (() => {
  for (let d = 0; d < 10; d++) {
    const c = '622202020000123456' + d;
    if (luhnValid(c)) return c;
  }
  throw new Error();
})();
const notLuhn = luhnCard.slice(0, -1) + String((Number(luhnCard.slice(-1)) + 1) % 10);

describe('personal-data check', () => {
  test.each([
    ['mobile number', '请拨打13812341234联系', 'phone', '138****1234'],
    ['mobile with dashes', '电话 138-1234-1234。', 'phone', '138****1234'],
    ['mobile with +86', '电话+86 13812341234', 'phone', '138****1234'],
    ['ID number', `身份证号${ID}，`, 'id', ID.slice(0, 4) + '*'.repeat(14)],
    ['card number', `卡号${luhnCard}`, 'card', luhnCard.slice(0, 4) + '*'.repeat(luhnCard.length - 8) + luhnCard.slice(-4)],
    ['16-digit card with spaces', '卡号 4111 1111 1111 1111 转账', 'card', '4111********1111'],
    ['landline with area code', '咨询电话 0838-1234567', 'landline', '0838-***4567'],
    ['landline in brackets', '电话：（028）8765 4321', 'landline', '028-****4321'],
    ['old 15-digit ID number', '老证号 510104800101123', 'id', '5**************'],
  ])('catches a valid %s', (_n, text, kind, masked) => {
    const hits = findPersonalData(text);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ kind, masked });
  });

  // The published bypasses (issue 15 item 9): each reads as a number to a person.
  const spacedId = `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`;
  test.each([
    ['full-width digits', '请拨打１３８１２３４５６７８'],
    ['zero-width spaces', '电话138\u200b1234\u200b5678'],
    ['a word joiner and bidi marks', '电话1\u20603\u200e8\u202d12345678\u202c'],
    ['Markdown bold splitting it', '电话138**1234**5678'],
    ['Markdown emphasis and code', '电话_138_`1234`~~5678~~'],
    ['dots between digit groups', '电话138.1234.5678'],
    ['spaces between digit groups', '电话 138 1234 5678'],
    ['full-width dashes and spaces', '电话１３８－１２３４　５６７８'],
    ['one digit at a time', '电话 1 3 8 1 2 3 4 5 6 7 8'],
    ['an HTML tag splitting it', '电话138<b>1234</b>5678'],
    ['HTML character references', '电话&#49;&#51;&#56;12345678'],
    ['a link splitting it', '电话[138](https://example.cn)12345678'],
    ['a tel: link', '[联系我们](tel:13812345678)'],
    ['Chinese numerals', '电话一三八一二三四五六七八'],
    ['a year right before it', '2024 13812345678'],
  ])('catches a phone number written with %s', (_n, text) => {
    const hits = findPersonalData(text);
    expect(hits.map((h) => [h.kind, h.masked])).toEqual([['phone', '138****5678']]);
  });

  test.each([
    ['spaces', `身份证 ${spacedId}`],
    ['groups of four', `身份证 ${ID.match(/.{1,4}/g)!.join(' ')}`],
    ['full-width digits', `身份证${ID.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))}`],
    ['zero-width spaces', `身份证${ID.slice(0, 9)}\u200b${ID.slice(9)}`],
  ])('catches an ID number written with %s', (_n, text) => {
    expect(findPersonalData(text).map((h) => h.kind)).toEqual(['id']);
  });

  test.each([
    ['source', { source: '联系人王老师 13812345678' }],
    ['author', { author: '记者 138-1234-5678' }],
    ['tags', { tags: ['138', '1234', '5678'] }],
    ['tags', { tags: ['联系电话13812345678'] }],
  ])('checks the %s field of an article', (field, extra) => {
    const hits = checkFields({ title: '标题', summary: '', body: '', ...extra });
    expect(hits.map((h) => [h.field, h.kind])).toEqual([[field, 'phone']]);
  });

  test.each([
    ['an ID number failing its checksum', `编号${badId}`],
    ['a date', '2026年11月22日，20261122'],
    ['dates with dashes and dots', '活动时间：2024-12-01 至 2024.12.15'],
    ['an event time', '2024-12-01 09:00-11:30，共 2.5 小时'],
    ['years', '2019 2020 2021 2022 2023 2024 年连续开展'],
    ['amounts', '筹集善款 1,380,000 元，另有 15 000 000 000 元规划；人均 138.5 元'],
    ['a postal code', '邮编 626000，云溪县城关镇'],
    ['an article id', '文章编号 20261122-abcd，流水号 2026112200013'],
    ['an order number failing Luhn', `订单号${notLuhn}`],
    ['a 12-digit serial', '流水号202611220001'],
    ['a number inside a longer run', '编码1381234123499999999999'],
    ['a table of small numbers', '| 13 | 8 | 12 | 34 | 56 | 78 |'],
    ['a hotline', '热线 12345，服务电话 400-123-4567'],
    ['a lone Chinese numeral next to digits', '第一13场，三八节'],
  ])('ignores %s', (_n, text) => {
    expect(findPersonalData(text)).toEqual([]);
  });

  test('a card of 19 digits is recognised only when Luhn passes', () => {
    expect(luhnValid(CARD)).toBe(false);
    expect(findPersonalData(`卡号${CARD}`)).toEqual([]);
  });

  test('protected names are found as a reader sees them, and masked in place', () => {
    const opts = { names: ['杨欣悦'] };
    const text = '本季度上榜的杨\u200b欣悦同学，和**杨欣悦**的爷爷。';
    const hits = findPersonalData(text, 'body', opts);
    expect(hits.map((h) => [h.kind, h.value, h.masked])).toEqual([
      ['name', '杨\u200b欣悦', '杨*悦'],
      ['name', '杨欣悦', '杨*悦'],
    ]);
    expect(findPersonalData(text, 'body', { ...opts, markdown: true })[0].masked).toBe('杨\\*悦');
    expect(findPersonalData('杨欣悦', 'body', { names: ['杨欣'] }).map((h) => h.value)).toEqual(['杨欣']);
    expect(findPersonalData('王', 'body', { names: ['王'] })).toEqual([]);
  });

  test('hits show context and the one-click mask replaces exactly that hit', () => {
    const body = `张先生电话13812341234，李女士电话13900001111。`;
    const hits = checkFields({ title: '', summary: '', body });
    expect(hits.map((h) => h.before.slice(-3))).toEqual(['先生电话'.slice(-3), '女士电话'.slice(-3)]);
    const masked = maskAt(body, hits[1].start, hits[1].end);
    expect(masked).toBe('张先生电话13812341234，李女士电话139****1111。');
    expect(maskAt(masked, 3, 5)).toBe(masked);
    expect(maskCard('6222 0202 0000 1234')).toBe('6222********1234');
  });

  test.each([
    ['138**1234**5678', '138****5678'],
    ['电话１３８－１２３４－５６７８。', '电话138****5678。'],
    ['电话138\u200b1234\u200b5678', '电话138****5678'],
    ['+86 138 1234 5678', '138****5678'],
    ['（0838）1234567', '0838-***4567'],
    ['[电话](tel:13812345678)', '[电话](tel:138****5678)'],
  ])('masking %s edits the original text', (text, expected) => {
    const [h] = findPersonalData(text);
    expect(maskAt(text, h.start, h.end)).toBe(expected);
    expect(findPersonalData(maskAt(text, h.start, h.end))).toEqual([]);
  });

  test('readerText folds width, drops invisible characters and markup, decodes references', () => {
    expect(readerText('１３８\u200b**1234**&#53;678 <b>x</b> [链接](https://a.cn)')).toBe('13812345678 x 链接');
  });

  test('configured wordings warn with a suggestion', () => {
    const w = checkWordings({ title: '做为志愿者', summary: '', body: '既使下雨，做为党员也要到岗' }, ['做为→作为', '既使=>即使', '敏感词']);
    expect(w).toEqual([
      { field: 'title', word: '做为', suggestion: '作为', count: 1 },
      { field: 'body', word: '做为', suggestion: '作为', count: 1 },
      { field: 'body', word: '既使', suggestion: '即使', count: 1 },
    ]);
  });
});

describe('line diff', () => {
  test('marks added and removed lines in order', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'del', text: 'b' },
      { op: 'add', text: 'B' },
      { op: 'same', text: 'c' },
      { op: 'add', text: 'd' },
    ]);
    expect(lineDiff('x', 'x')).toEqual([{ op: 'same', text: 'x' }]);
  });
});
