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
// WORKER_BALANCE=front (docs/decisions/110): the primary serves the port itself — static files,
// cached pages, the admission gate — and its workers only render, each on a private Unix socket.
const front = cfg.workers > 1 && cfg.workerBalance === 'front';
if (!isWorker && front) await serveFront();
else if (!isWorker && cfg.workers > 1) {
  // The primary serves nothing: it keeps the workers running (restart with backoff, SIGTERM handed on).
  await closeDb();
  const { superviseWorkers } = await import('../src/server/workers.ts');
  superviseWorkers({
    workers: cfg.workers,
    onServing: (pids) => console.log(`善行已启动 / Serving at http://${shownHost}:${cfg.port}（${pids.length} 个工作进程 / ${pids.length} workers, ${cfg.workerBalance}, pid ${pids.join(' ')}）`),
  });
} else await serve();

/** Longest wait for answers in progress after SIGTERM (the primary kills a worker after 15 s). */
const DRAIN_MS = 10_000;

/** Stops accepting connections, lets the answers in progress finish (at most DRAIN_MS, then cuts them). */
async function drainServer(server) {
  const drained = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections?.();
  const cut = setTimeout(() => server.closeAllConnections?.(), DRAIN_MS);
  await drained;
  clearTimeout(cut);
}

/** The front of WORKER_BALANCE=front: serves the port, supervises the render workers behind it. */
async function serveFront() {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createServer } = await import('../src/server/http-server.ts');
  const { superviseWorkers } = await import('../src/server/workers.ts');
  // Created 0700: only this user can reach a worker, so a worker may believe the front's header
  // with the visitor's address (CLIENT_ADDRESS_HEADER in src/server/render-proxy.ts).
  const socketDir = mkdtempSync(join(tmpdir(), 'shanxing-render-'));
  process.on('exit', () => rmSync(socketDir, { recursive: true, force: true }));
  const socketOf = (index) => join(socketDir, `render-${index}.sock`);
  const server = await createServer({ root, config: cfg, role: 'front' });
  await new Promise((resolve) => {
    server.once('error', (e) => fail(`无法监听 ${cfg.host}:${cfg.port}（${e.code ?? e.message}） / Cannot listen on ${cfg.host}:${cfg.port}: ${e.code ?? e.message}`));
    server.listen({ port: cfg.port, host: cfg.host, backlog: 4096 }, resolve);
  });
  superviseWorkers({
    workers: cfg.workers,
    workerEnv: (index) => ({ RENDER_SOCKET: socketOf(index) }),
    onWorkerServing: (index) => server.renderProxy.up(index, socketOf(index)),
    onWorkerExit: (index) => server.renderProxy.down(index),
    // The front drains beside its workers: what they finish still has to reach the visitor.
    drain: () => drainServer(server).then(() => closeDb()),
    onServing: (pids) =>
      console.log(`善行已启动 / Serving at http://${shownHost}:${cfg.port}（${pids.length} 个渲染进程 / ${pids.length} render workers, front pid ${process.pid}, pid ${pids.join(' ')}）`),
  });
}

/** Serves the portal in this process (the only one, or one of the workers) until SIGTERM. */
async function serve() {
  // Behind a front, this worker only renders (on its socket), at a lower CPU priority than the front.
  const role = isWorker && process.env.RENDER_SOCKET ? 'render' : 'all';
  if (role === 'render' && cfg.renderNice > 0) {
    const { setPriority } = await import('node:os');
    try {
      setPriority(cfg.renderNice);
    } catch {
      /* a system that refuses still renders, at the front's priority */
    }
  }
  const { createServer } = await import('../src/server/http-server.ts');
  const server = await createServer({ root, config: cfg, role });
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
  const { startHousekeeping } = await import('../src/domain/accounts/housekeeping.ts');
  let stopHousekeeping = () => {};
  // A burst of new connections (1,000 phones pressing 报名 at once) must wait in the kernel's accept
  // queue, not be dropped: Node's default backlog of 511 overflowed in the benchmark's storm and the
  // dropped clients retried only after 1 s. Linux caps the value at net.core.somaxconn (4096 on Debian 12).
  // Workers with WORKER_BALANCE=reuseport each bind their own socket to the port and the kernel spreads
  // new connections over them; with cluster, listen() goes through the primary, which hands each out.
  const reusePort = isWorker && cfg.workerBalance === 'reuseport';
  const where = role === 'render' ? process.env.RENDER_SOCKET : `${cfg.host}:${cfg.port}`;
  server.once('error', (e) => fail(`无法监听 ${where}（${e.code ?? e.message}） / Cannot listen on ${where}: ${e.code ?? e.message}`));
  if (role === 'render') {
    // A socket file left by a worker that was killed would refuse the restarted one (EADDRINUSE).
    const { rmSync } = await import('node:fs');
    rmSync(process.env.RENDER_SOCKET, { force: true });
  }
  const address =
    role === 'render' ? { path: process.env.RENDER_SOCKET, backlog: 4096 } : { port: cfg.port, host: cfg.host, backlog: 4096, ...(reusePort ? { reusePort: true, exclusive: true } : {}) };
  server.listen(address, () => {
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
    // Ended rate-limit windows, expired sessions and day-old SMS codes go every 10 minutes (they name phones and addresses).
    stopHousekeeping = startHousekeeping(db);
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
    stopHousekeeping();
    // A drain: no new connections; requests already being answered finish (up to DRAIN_MS, then cut),
    // and only then is the database closed — it used to close at once, under the last answers.
    await drainServer(server);
    await closeDb();
    process.exit(0);
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
