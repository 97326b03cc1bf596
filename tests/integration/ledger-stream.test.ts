// Issue 22: the 台账 streams — memory that does not grow with the rows (an export of 800,000 rows peaks where
// one of 200,000 does), no 50,000-row cap, rows past one sheet's limit continue on the next sheet, and the
// file opens in read-excel-file and in LibreOffice (docs/decisions/108).
import { beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import readXlsxFile from 'read-excel-file/node';
import { freshDb } from '../helpers/db.ts';
import { exportLedger } from '../../src/domain/hours/ledger.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import { addMember, makeTeam, makeUser } from './hours-fixtures.ts';

const run = promisify(execFile);
let db: Awaited<ReturnType<typeof freshDb>>;
const BASE = fromShanghai('2020-01-01', '08:00');

/** `n` one-hour pending records for a team, two volunteers taking turns, three hours apart; `content` 第i条. */
async function records(n: number, name: string): Promise<number> {
  const team = await makeTeam(db, name);
  const a = await makeUser(db, `${name}甲`);
  const b = await makeUser(db, `${name}乙`);
  await addMember(db, team, a, 'leader');
  await addMember(db, team, b);
  await db.$client.execute({
    sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
          INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, content, status, created_at)
          SELECT CASE i % 2 WHEN 0 THEN ? ELSE ? END, ?, 'claim', ? + i * 10800000, ? + i * 10800000 + 3600000, 60, '第' || i || '条', 'pending', ? FROM n`,
    args: [n - 1, a, b, team, BASE, BASE, BASE],
  });
  return team;
}

/** Exports one team's ledger in a fresh Node process; its rows, bytes and peak memory. */
async function exportInChild(team: number): Promise<{ rows: number; bytes: number; peakHeapMb: number; peakRssMb: number }> {
  // A bounded old space keeps garbage from piling up to different heights in the two runs (a noisy
  // comparison on a busy machine); an export whose memory grew with its rows would run out of it.
  const { stdout } = await run(process.execPath, ['--max-old-space-size=96', 'tests/helpers/ledger-export-child.ts', db.url, String(team)], { timeout: 300_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

let small: number;
let large: number;

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  // 200,000 rows, not fewer: a process's RSS climbs for its first ~10 MB of output whatever the export (the
  // allocator and, over Hrana, the HTTP client warming up: 50,000 rows over Hrana peaked at 210–222 MB and
  // 400,000 at 245–264 MB while the heap stayed at 50 MB, and 1,200,000 rows flat at 243–247 MB from 20 MB
  // on). Past that, an export that held on to rows would show 600,000 rows' worth more.
  small = await records(200_000, '小台账队');
  large = await records(800_000, '大台账队');
}, 300_000);

describe('the streamed 台账', () => {
  test('800,000 rows come out whole, and the export peaks where one of 200,000 does (memory does not grow with the rows)', async () => {
    const a = await exportInChild(small);
    const b = await exportInChild(large);
    expect(a.rows).toBe(200_000);
    expect(b.rows).toBe(800_000);
    // The file is about four times as big; what the process holds is not.
    expect(b.bytes).toBeGreaterThan(3.5 * a.bytes);
    expect(b.peakHeapMb, JSON.stringify({ a, b })).toBeLessThan(a.peakHeapMb + 24);
    expect(b.peakRssMb, JSON.stringify({ a, b })).toBeLessThan(a.peakRssMb + 48);
  }, 300_000);

  test('past a sheet’s row limit the rows continue on the next sheet, each with the title and header, in order', async () => {
    const team = await records(2_500, '分表队');
    const { buffer, rows } = await exportLedger(db, { teamId: team }, {}, { rowsPerSheet: 1_000 });
    expect(rows).toBe(2_500);
    const sheets = await readXlsxFile(buffer);
    expect(sheets.map((s) => s.sheet)).toEqual(['志愿服务记录台账', '志愿服务记录台账（2）', '志愿服务记录台账（3）']);
    expect(sheets.map((s) => s.data.length)).toEqual([1_003, 1_003, 503]);
    for (const { data } of sheets) {
      expect(String(data[0][0])).toContain('志愿服务记录台账');
      expect(String(data[1][0])).toContain('队伍：分表队');
      expect(data[2][0]).toBe('记录号');
    }
    const contents = sheets.flatMap((s) => s.data.slice(3).map((r) => r[10]));
    expect(contents).toEqual(Array.from({ length: 2_500 }, (_, i) => `第${i}条`));
    // The first row of the second sheet follows the last of the first.
    expect(sheets[1].data[3]).toContain('第1000条');
    const first = sheets[0].data[3];
    expect(first).toContain('分表队甲');
    // 服务日期 is a date cell holding the Beijing day; 服务时长 a number.
    expect(first[4]).toBeInstanceOf(Date);
    expect((first[4] as unknown as Date).toISOString().slice(0, 10)).toBe('2020-01-01');
    expect(first[7]).toBe(1);
  });

  test('LibreOffice opens every sheet: the CSV of each holds its rows', async () => {
    const team = await records(1_500, '表格检查队');
    const { buffer } = await exportLedger(db, { teamId: team }, {}, { rowsPerSheet: 1_000 });
    const dir = await mkdtemp(join(tmpdir(), 'sx-ledger-'));
    const xlsx = join(dir, 'ledger.xlsx');
    await writeFile(xlsx, buffer);
    // `:44,34,76,1,,0,false,true,false,false,false,-1`: comma-separated, UTF-8, every sheet to its own file.
    await run(
      'soffice',
      [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', '--outdir', dir, xlsx],
      {
        timeout: 120_000,
      },
    );
    const csvs = (await readdir(dir)).filter((f) => f.endsWith('.csv')).sort();
    expect(csvs).toHaveLength(2);
    const [one, two] = await Promise.all(csvs.map((f) => readFile(join(dir, f), 'utf8')));
    const lines1 = one.trim().split('\n');
    const lines2 = two.trim().split('\n');
    expect(lines1[0]).toContain('云溪县志愿服务记录台账');
    expect(lines1[2]).toContain('记录号');
    expect(lines1[3]).toContain('第0条');
    expect(lines1[3]).toContain('2020-01-01');
    expect(lines1).toHaveLength(1_003);
    expect(lines2[3]).toContain('第1000条');
    expect(lines2.at(-1)).toContain('第1499条');
    expect(lines2).toHaveLength(503);
  }, 180_000);
});
