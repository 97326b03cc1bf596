// Files a first start creates, with several processes starting at once (issue 22, worker processes):
// `npm start` with WORKERS, or two portals started together on one new data folder. Each process
// must end up with the key that is on disk, or ID numbers it encrypts cannot be read by the others.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

/** A process that waits for the shared start time (sub-millisecond), then loads the key and prints it. */
const CHILD = `
const { loadSecretKey } = await import(${JSON.stringify(new URL('../../src/lib/config.ts', import.meta.url).href)});
const at = Number(process.argv[1]);
while (performance.timeOrigin + performance.now() < at) {}
try { console.log(loadSecretKey({}, process.argv[2]).toString('hex')); } catch (e) { console.log('ERR ' + e.message); }
`;

function loadKeyAt(at: number, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, String(at), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', () => resolve(out.trim()));
  });
}

describe('SECRET_KEY generated into data/secret.key', () => {
  test('processes starting at the same moment on a new data folder all use the one key on disk', async () => {
    const mismatches: string[] = [];
    for (let round = 0; round < 12; round++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'shanxing-key-'));
      // Long enough for every process to have started and be spinning; they then race within microseconds.
      const at = Date.now() + 700;
      const keys = await Promise.all([0, 1, 2].map(() => loadKeyAt(at, dataDir)));
      const onDisk = readFileSync(join(dataDir, 'secret.key'), 'utf8').trim();
      for (const k of keys) if (k !== onDisk) mismatches.push(`round ${round}: a process uses ${k.slice(0, 8)}…, the file holds ${onDisk.slice(0, 8)}…`);
    }
    expect(mismatches).toEqual([]);
  });

  test('a damaged key file stops start-up with one line instead of encrypting with a short key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shanxing-key-'));
    writeFileSync(join(dataDir, 'secret.key'), 'abc\n');
    expect(await loadKeyAt(0, dataDir)).toMatch(/^ERR 配置错误 SECRET_KEY：.*secret\.key.* \/ Invalid SECRET_KEY: /);
  });
});
