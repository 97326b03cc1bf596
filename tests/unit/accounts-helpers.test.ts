// Small account helpers: safe ?next= redirects and the client IP behind an optional proxy.
import { describe, expect, test } from 'vitest';
import { safeNext } from '../../src/lib/safe-next.ts';
import { clientIp } from '../../src/lib/client-ip.ts';

describe('safeNext keeps redirects on this site', () => {
  test.each([
    ['/me', '/me'],
    ['/console/users?q=%E7%8E%8B', '/console/users?q=%E7%8E%8B'],
    ['//evil.example/', '/me'],
    ['/\\evil.example', '/me'],
    ['https://evil.example/', '/me'],
    ['javascript:alert(1)', '/me'],
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
    ['/a\nb', '/me'],
    ['', '/me'],
    [null, '/me'],
    // Issue 15, item 3: what browsers strip or rewrite before resolving.
    ['/\t/evil.example/x', '/me'],
    ['/\n/evil.example/x', '/me'],
    ['/\r/evil.example', '/me'],
    ['/ /evil.example', '/me'],
    ['\t//evil.example', '/me'],
    ['/\\/evil.example', '/me'],
    ['/a\\b', '/me'],
    ['/\u00a0/evil.example', '/%C2%A0/evil.example'],
    ['/%09/evil.example/x', '/%09/evil.example/x'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/./evil.example', '/evil.example'],
    ['/..//evil.example', '/me'],
    ['/页面?q=好人#段', '/%E9%A1%B5%E9%9D%A2?q=%E5%A5%BD%E4%BA%BA#%E6%AE%B5'],
    ['http:/evil.example', '/me'],
    ['/\u2028x', '/%E2%80%A8x'],
  ])('%s → %s', (raw, expected) => {
    expect(safeNext(raw as string | null)).toBe(expected);
  });
});

describe('clientIp', () => {
  const req = (xff?: string) => new Request('http://x/', { headers: xff ? { 'x-forwarded-for': xff } : {} });
  test('uses the socket address and ignores X-Forwarded-For by default', () => {
    expect(clientIp({ request: req('1.2.3.4'), clientAddress: '10.0.0.9' }, false)).toBe('10.0.0.9');
  });
  test('with TRUST_PROXY takes the hop our proxy appended (the last one)', () => {
    expect(clientIp({ request: req('6.6.6.6, 1.2.3.4'), clientAddress: '127.0.0.1' }, true)).toBe('1.2.3.4');
    expect(clientIp({ request: req(), clientAddress: '127.0.0.1' }, true)).toBe('127.0.0.1');
  });
});
