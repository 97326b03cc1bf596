import { describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decryptText, encryptText, keyedHash, maskIdNumber, maskName, maskPhone } from '../../src/lib/pii.ts';

describe('masking', () => {
  test.each([
    ['13812341234', '138****1234'],
    ['', ''],
  ])('phone %s → %s', (a, b) => expect(maskPhone(a)).toBe(b));
  // First 4 only: with the last 4 the area code and a birth year rebuilt the number (decision 077).
  test('ID numbers keep their first 4 characters, passports their first one', () => {
    expect(maskIdNumber('51010419900101123X')).toBe('5101**************');
    expect(maskIdNumber('E12345678')).toBe('E********');
  });
  test.each([
    ['张三华', '张*华'],
    ['张三', '张*'],
    ['欧阳小明', '欧**明'],
  ])('name %s → %s', (a, b) => expect(maskName(a)).toBe(b));
});

describe('encryption at rest', () => {
  const key = randomBytes(32);
  test('round-trips and never contains the plaintext', () => {
    const sealed = encryptText(key, '51010419900101123X');
    expect(sealed).not.toContain('51010419900101123X');
    expect(decryptText(key, sealed)).toBe('51010419900101123X');
  });
  test('a different key cannot decrypt', () => {
    expect(() => decryptText(randomBytes(32), encryptText(key, 'x'))).toThrow();
  });
  test('keyed hash is stable and key-dependent', () => {
    expect(keyedHash(key, 'a')).toBe(keyedHash(key, 'a'));
    expect(keyedHash(key, 'a')).not.toBe(keyedHash(randomBytes(32), 'a'));
  });
});
