import { afterEach, describe, expect, test, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from '../../src/lib/config.ts';
import { log } from '../../src/lib/log.ts';

const base = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cfg-')) });

describe('configuration', () => {
  test('defaults', () => {
    const c = readConfig(base());
    expect(c.port).toBe(4321);
    expect(c.databaseUrl).toBe('file:data/shanxing.db');
    expect(c.secretKey).toHaveLength(32);
  });
  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'nonsense://x'],
    ['DATABASE_URL', 'not a url'],
    ['SITE_URL', 'ftp://x'],
    ['SECRET_KEY', 'short'],
    ['SEED_DEMO', 'maybe'],
    ['OVERLOAD_LAG_MS', 'abc'],
    ['MAX_BODY_BYTES', 'abc'],
    ['MAX_BODY_BYTES', '-1'],
    ['OUTBOX_INTERVAL_MS', 'abc'],
    ['OUTBOX_INTERVAL_MS', '1'],
    ['HEADERS_TIMEOUT_MS', '1e9'],
    ['PAGE_CACHE', 'maybe'],
    ['BENCH_CACHE_BYPASS', 'yes'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'sure'],
    // Files under public/ or dist/ are served to anyone as static files (docs/decisions/076).
    ['UPLOADS_DIR', 'public/uploads'],
    ['UPLOADS_DIR', 'dist/client/uploads'],
    ['UPLOADS_DIR', 'dist'],
  ])('%s=%s is refused naming the variable in Chinese and English', (name, value) => {
    try {
      readConfig({ ...base(), [name]: value });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain(`配置错误 ${name}`);
      expect((e as Error).message).toContain(`Invalid ${name}`);
      expect((e as Error).message).not.toContain('\n');
    }
  });
  test('SECRET_KEY is generated once and then reused', () => {
    const env = base();
    expect(readConfig(env).secretKey.equals(readConfig(env).secretKey)).toBe(true);
  });
});

describe('one parser for every variable (issue 16, item 3)', () => {
  const saved = process.env.LOG_LEVEL;
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });

  test.each(['WARN', ' warn ', 'Warn'])('LOG_LEVEL=%j, accepted at start-up, is the level the logs keep', (value) => {
    expect(readConfig({ ...base(), LOG_LEVEL: value }).logLevel).toBe('warn');
    process.env.LOG_LEVEL = value;
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    log('info', 'request', { route: '/' });
    log('warn', 'request refused', { route: '/console' });
    vi.restoreAllMocks();
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(['warn']);
  });
});
