// npm run db:restore -- <backup.db> --yes: replaces the database file with a checked backup.
// Stop the portal first; it keeps the old file open otherwise.
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { createClient } from '@libsql/client';

const { readConfig, ConfigError } = await import('../src/lib/config.ts');
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const fail = (zh, en) => {
  console.error(`${zh} / ${en}`);
  process.exit(1);
};
if (!file) fail('用法：npm run db:restore -- <备份文件> --yes', 'Usage: npm run db:restore -- <backup file> --yes');
if (!existsSync(file)) fail(`找不到备份文件 ${file}`, `Backup file not found: ${file}`);
if (!args.includes('--yes')) fail('恢复会覆盖当前数据库，请确认后加上 --yes 再运行', 'Restoring overwrites the current database: add --yes to confirm');
let cfg;
try {
  cfg = readConfig();
} catch (e) {
  fail(e instanceof ConfigError ? e.message : String(e), 'invalid configuration');
}
if (!cfg.databaseUrl.startsWith('file:')) fail('db:restore 仅适用于本地数据库文件', 'db:restore works on a local database file only');

const check = createClient({ url: `file:${resolve(file)}` });
let ok;
try {
  const rs = await check.execute('PRAGMA integrity_check');
  const tables = await check.execute("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('users', '__drizzle_migrations')");
  ok = String(rs.rows[0][0]) === 'ok' && Number(tables.rows[0].n) >= 1;
} catch {
  ok = false;
}
check.close();
if (!ok) fail('备份文件已损坏或不是善行数据库，未做任何更改', 'The backup is damaged or not a 善行 database; nothing was changed');

const target = cfg.databaseUrl.startsWith('file://') ? fileURLToPath(cfg.databaseUrl) : resolve(cfg.databaseUrl.slice('file:'.length));
const tmp = `${target}.restoring`;
copyFileSync(file, tmp);
for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
renameSync(tmp, target);
console.log(`已恢复 / Restored ${file} → ${target}`);
