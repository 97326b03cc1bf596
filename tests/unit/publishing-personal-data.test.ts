import { describe, expect, test } from 'vitest';
import { checkFields, checkWordings, findPersonalData, luhnValid, maskAt, maskCard } from '../../src/domain/articles/personal-data.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { lineDiff } from '../../src/lib/line-diff.ts';

const ID = makeIdNumber('1985-03-12', 7); // valid checksum
const badId = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');
const CARD = '6222020200001234561'; // 19 digits
const luhnCard = (() => { for (let d = 0; d < 10; d++) { const c = '622202020000123456' + d; if (luhnValid(c)) return c; } throw new Error(); })();
const notLuhn = luhnCard.slice(0, -1) + String((Number(luhnCard.slice(-1)) + 1) % 10);

describe('personal-data check', () => {
  test.each([
    ['mobile number', '请拨打13812341234联系', 'phone', '138****1234'],
    ['mobile with dashes', '电话 138-1234-1234。', 'phone', '138****1234'],
    ['mobile with +86', '电话+86 13812341234', 'phone', '138****1234'],
    ['ID number', `身份证号${ID}，`, 'id', ID.slice(0, 4) + '*'.repeat(14)],
    ['card number', `卡号${luhnCard}`, 'card', luhnCard.slice(0, 4) + '*'.repeat(luhnCard.length - 8) + luhnCard.slice(-4)],
    ['16-digit card with spaces', '卡号 4111 1111 1111 1111 转账', 'card', '4111********1111'],
  ])('catches a valid %s', (_n, text, kind, masked) => {
    const hits = findPersonalData(text);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ kind, masked });
  });

  test.each([
    ['an ID number failing its checksum', `编号${badId}`],
    ['a date', '2026年11月22日，20261122'],
    ['an order number failing Luhn', `订单号${notLuhn}`],
    ['a 12-digit serial', '流水号202611220001'],
    ['a landline', '0838-1234567'],
    ['a number inside a longer run', '编码1381234123499999999999'],
  ])('ignores %s', (_n, text) => {
    expect(findPersonalData(text)).toEqual([]);
  });

  test('a card of 19 digits is recognised only when Luhn passes', () => {
    expect(luhnValid(CARD)).toBe(false);
    expect(findPersonalData(`卡号${CARD}`)).toEqual([]);
  });

  test('hits show context and the one-click mask replaces exactly that hit', () => {
    const body = `张先生电话13812341234，李女士电话13900001111。`;
    const hits = checkFields({ title: '', summary: '', body });
    expect(hits.map((h) => h.before.slice(-3))).toEqual(['先生电话'.slice(-3), '女士电话'.slice(-3)]);
    const masked = maskAt(body, hits[1].start, hits[1].value);
    expect(masked).toBe('张先生电话13812341234，李女士电话139****1111。');
    expect(maskAt(masked, 3, 'xx')).toBe(masked);
    expect(maskCard('6222 0202 0000 1234')).toBe('6222********1234');
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
      { op: 'same', text: 'a' }, { op: 'del', text: 'b' }, { op: 'add', text: 'B' }, { op: 'same', text: 'c' }, { op: 'add', text: 'd' },
    ]);
    expect(lineDiff('x', 'x')).toEqual([{ op: 'same', text: 'x' }]);
  });
});
