import { describe, expect, test } from 'vitest';
import { ageOn, idCheckChar, makeIdNumber, parseIdNumber } from '../../src/lib/id-number.ts';

describe('居民身份证 validation (GB 11643)', () => {
  test("the standard's worked example has check character X", () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(parseIdNumber('11010519491231002X')).toMatchObject({ ok: true, info: { birthDate: '1949-12-31', gender: '女' } });
  });
  test.each([
    ['wrong checksum', '110105194912310021', 'checksum'],
    ['17 digits', '11010519491231002', 'format'],
    ['letters', '11010519491231002A', 'format'],
    ['31 February', makeIdNumber('1990-02-28', 1).replace('19900228', '19900231'), 'birth'],
    ['born in the future', makeIdNumber('2099-01-01', 1), 'future'],
  ])('%s is refused', (_name, id, problem) => {
    expect(parseIdNumber(id)).toEqual({ ok: false, problem });
  });
  test('generated numbers validate and carry sex', () => {
    expect(parseIdNumber(makeIdNumber('2001-05-04', 3, true))).toMatchObject({ ok: true, info: { gender: '男' } });
    expect(parseIdNumber(makeIdNumber('2001-05-04', 3, false))).toMatchObject({ ok: true, info: { gender: '女' } });
  });
  test('age counts whole years', () => {
    expect(ageOn('2012-11-23', new Date('2026-11-22T00:00:00Z'))).toBe(13);
    expect(ageOn('2012-11-22', new Date('2026-11-22T00:00:00Z'))).toBe(14);
  });
});
