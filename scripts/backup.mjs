// npm run db:backup: a consistent online copy with VACUUM INTO, to a timestamped file.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const { readConfig, ConfigError } = await import('../src/lib/config.ts');
const { openDb } = await import('../db/client.ts');
let cfg;
try {
  cfg = readConfig();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : String(e));
  process.exit(1);
}
if (!cfg.databaseUrl.startsWith('file:')) {
  console.error('db:backup 仅适用于本地数据库文件；libSQL 服务器请使用其自带的备份 / db:backup works on a local file; use your libSQL server backups');
  process.exit(1);
}
const outDir = resolve(process.argv.find((a) => a.startsWith('--dir='))?.slice(6) ?? 'data/backups');
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, 'Z');
const file = join(outDir, `shanxing-${stamp}.db`);
const db = await openDb({ url: cfg.databaseUrl });
await db.$client.execute({ sql: 'VACUUM INTO ?', args: [file] });
db.$client.close();
console.log(`备份完成 / Backup written: ${file}`);
