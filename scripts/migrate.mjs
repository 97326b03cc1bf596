// npm run db:migrate: brings the database named by DATABASE_URL up to date (npm start does the same
// on every start). Safe while the portal serves: nothing is re-created when nothing changed.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { ensureProjectNode } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
ensureProjectNode(root);

const { readConfig, ConfigError } = await import('../src/lib/config.ts');
let cfg;
try {
  cfg = readConfig();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `启动失败 / Failed: ${e?.message ?? e}`);
  process.exit(1);
}
const { getDb, closeDb } = await import('../db/client.ts');
const { migrateDb } = await import('../db/migrate.ts');
try {
  const db = await getDb({ url: cfg.databaseUrl, authToken: cfg.databaseAuthToken, syncUrl: cfg.databaseSyncUrl });
  const applied = await migrateDb(db);
  console.log(applied.length ? `数据库已更新：${applied.join('、')} / Database updated: ${applied.join(', ')}` : '数据库已是最新 / The database is up to date');
  await closeDb();
} catch (e) {
  console.error(`迁移失败 / Migration failed: ${e?.message ?? e}`);
  process.exit(1);
}
