// npm start: build when stale, migrate, seed an empty database, serve — in this process, or with
// WORKERS > 1 in that many cluster workers, each of which runs this script again to serve
// (src/server/workers.ts, docs/decisions/104).
import cluster from 'node:cluster';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildIsStale, ensureProjectNodeForServer } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
await ensureProjectNodeForServer(root);

function fail(line) {
  console.error(line);
  process.exit(1);
}

const { readConfig, ConfigError, siteUrlWarning } = await import('../src/lib/config.ts');
let cfg;
try {
  cfg = readConfig();
} catch (e) {
  if (e instanceof ConfigError) fail(e.message);
  fail(`启动失败 / Start-up failed: ${e?.message ?? e}`);
}

// A worker finds the build, the database and the seed ready: its primary did them before forking it.
const isWorker = cluster.isWorker;
const siteWarning = isWorker ? undefined : siteUrlWarning(cfg);
if (siteWarning) {
  const bar = '!'.repeat(72);
  console.warn(`${bar}\n${siteWarning}\n${bar}`);
}

if (!isWorker && buildIsStale(root)) {
  console.log('正在构建站点… / Building the site…');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'], { stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) fail('构建失败 / Build failed (see the output above)');
}

const { getDb, closeDb } = await import('../db/client.ts');
const { migrateDb, migrateData } = await import('../db/migrate.ts');
const { seed } = await import('../db/seed.ts');
let db;
try {
  db = await getDb({ url: cfg.databaseUrl, authToken: cfg.databaseAuthToken, syncUrl: cfg.databaseSyncUrl });
  if (!isWorker) await migrateDb(db);
} catch (e) {
  fail(`配置错误 DATABASE_URL：无法打开或迁移数据库（${e?.message ?? e}） / Invalid DATABASE_URL: cannot open or migrate the database`);
}
if (!isWorker) {
  // Data migrations SQL cannot do (the key, the uploads folder), each once, before anything is served.
  const { relocated } = await migrateData(db, { secretKey: cfg.secretKey, uploadsDir: cfg.uploadsDir });
  if (relocated) console.log(`已将 ${relocated} 个私密文件移入 ${cfg.uploadsDir}/private / Moved ${relocated} private files`);
  const accounts = await seed(db, { secretKey: cfg.secretKey, demo: cfg.seedDemo });
  if (accounts.length) {
    console.log('\n演示账号（仅显示这一次，请妥善保存） / Demo accounts (shown once):');
    for (const a of accounts) console.log(`  ${a.label.padEnd(18, '　')} 手机号 ${a.phone}  密码 ${a.password}  (${a.name})`);
    console.log('');
  }
}

const shownHost = cfg.host === '0.0.0.0' || cfg.host === '::' ? 'localhost' : cfg.host;
if (!isWorker && cfg.workers > 1) {
  // The primary serves nothing: it keeps the workers running (restart with backoff, SIGTERM handed on).
  await closeDb();
  const { superviseWorkers } = await import('../src/server/workers.ts');
  superviseWorkers({
    workers: cfg.workers,
    onServing: (pids) => console.log(`善行已启动 / Serving at http://${shownHost}:${cfg.port}（${pids.length} 个工作进程 / ${pids.length} workers, ${cfg.workerBalance}, pid ${pids.join(' ')}）`),
  });
} else await serve();

/** Serves the portal in this process (the only one, or one of the workers) until SIGTERM. */
async function serve() {
  /** Longest wait for answers in progress after SIGTERM (the primary kills a worker after 15 s). */
  const DRAIN_MS = 10_000;

  const { createServer } = await import('../src/server/http-server.ts');
  const server = await createServer({ root, config: cfg });
  const { startPublishingTimer } = await import('../src/domain/articles/scheduler.ts');
  const { startNoticeOutbox } = await import('../src/domain/notices/outbox.ts');
  const { startOrderEscalation } = await import('../src/domain/orders/escalation.ts');
  let stopPublishing = () => {};
  let stopOutbox = () => {};
  let stopEscalation = () => {};
  const { startOrderExpiryTimer } = await import('../src/domain/points/shop.ts');
  let stopOrderExpiry = () => {};
  const { startAnnualResetTimer } = await import('../src/domain/households/month.ts');
  let stopAnnualReset = () => {};
  // A burst of new connections (1,000 phones pressing 报名 at once) must wait in the kernel's accept
  // queue, not be dropped: Node's default backlog of 511 overflowed in the benchmark's storm and the
  // dropped clients retried only after 1 s. Linux caps the value at net.core.somaxconn (4096 on Debian 12).
  // Workers with WORKER_BALANCE=reuseport each bind their own socket to the port and the kernel spreads
  // new connections over them; with cluster, listen() goes through the primary, which hands each out.
  const reusePort = isWorker && cfg.workerBalance === 'reuseport';
  server.once('error', (e) => fail(`无法监听 ${cfg.host}:${cfg.port}（${e.code ?? e.message}） / Cannot listen on ${cfg.host}:${cfg.port}: ${e.code ?? e.message}`));
  server.listen({ port: cfg.port, host: cfg.host, backlog: 4096, ...(reusePort ? { reusePort: true, exclusive: true } : {}) }, () => {
    if (isWorker)
      process.send?.({ type: 'shanxing:serving' }); // SERVING in src/server/workers.ts
    else console.log(`善行已启动 / Serving at http://${shownHost}:${cfg.port}`);
    // Scheduled articles go live from here; the claim is one UPDATE, safe with several processes.
    stopPublishing = startPublishingTimer(async () => db, 30_000);
    // E-mail copies of notices (站内信) when SMTP_URL is set; claims are single UPDATEs, safe with several processes.
    stopOutbox = startNoticeOutbox(db, { smtpUrl: cfg.smtpUrl, siteUrl: cfg.siteUrl, everyMs: cfg.outboxIntervalMs });
    // Overdue service orders (issue 20) every 10 minutes; each stage of an order escalates once, across processes.
    stopEscalation = startOrderEscalation(db);
    // 积分超市 orders not collected in time return points and stock; each is claimed by one guarded UPDATE.
    stopOrderExpiry = startOrderExpiryTimer(async () => db);
    // Household 文明积分: villages with the annual reset go back to zero once a year, by compensating entries (claimed once across processes).
    stopAnnualReset = startAnnualResetTimer(async () => db);
  });

  let closing = false;
  async function shutdown(signal) {
    if (closing) return;
    closing = true;
    console.log(`收到 ${signal}，正在关闭… / Shutting down…`);
    stopPublishing();
    stopOutbox();
    stopEscalation();
    stopOrderExpiry();
    stopAnnualReset();
    // A drain: no new connections; requests already being answered finish (up to DRAIN_MS, then cut),
    // and only then is the database closed — it used to close at once, under the last answers.
    const drained = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections?.();
    const cut = setTimeout(() => server.closeAllConnections?.(), DRAIN_MS);
    await drained;
    clearTimeout(cut);
    await closeDb();
    process.exit(0);
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
