// npm run bench [-- --scale 0.05] [-- --duration 10] [-- --reuse] [-- --only pages|storm|flood|workers|export] [-- --profile] [-- --help]
// Seeds a large county into bench/data/, builds and starts the portal on it,
// loads public pages with autocannon (50 connections) against a bare node:http
// baseline measured in the same run, runs a sign-up storm and a flood, prints a table with
// PASS/MISS against the targets of issue 8 and writes bench/results.json.
// The parts live in scripts/bench/: options, seed, servers, load, storm, report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIsStale, ensureProjectNode } from './lib.mjs';
import { ensureBenchPrograms } from './ensure-browser.mjs';
import { USAGE, log, readOptions, scaleList } from './bench/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const opts = readOptions(process.argv.slice(2), root);
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
ensureProjectNode(root);
ensureBenchPrograms();

// Several scales: one full run each (its own process, so nothing of one colours the next), then one table.
const scales = scaleList(process.argv.slice(2));
if (scales.length > 1) {
  const rest = process.argv.slice(2);
  rest.splice(rest.indexOf('--scale'), 2);
  for (const scale of scales) {
    log(`scale ${scale}…`);
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--scale', String(scale), ...rest], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const { compare } = await import('./bench/compare.mjs');
  compare(root, scales);
  process.exit(0);
}

// Imported after ensureProjectNode: they load the project's TypeScript, which needs Node 24.
const { openDb } = await import('../db/client.ts');
const { freePort, startPortal, startProfile, vmHWM } = await import('./bench/servers.mjs');
const { choosePages, loadPages, loadBaselineAgain } = await import('./bench/load.mjs');
const { prepareStorm } = await import('./bench/storm.mjs');
const { signedInCookie } = await import('./bench/storm.mjs');
const { runFlood } = await import('./bench/flood.mjs');
const { runExport } = await import('./bench/export.mjs');
const { report } = await import('./bench/report.mjs');
const { compareWorkers, printWorkers } = await import('./bench/workers.mjs');

// ---------------------------------------------------------------- data ----
const results = { scale: opts.scale, counts: opts.counts, startedAt: new Date().toISOString(), machine: { cpus: cpus().length }, rows: [], targets: [] };
let seedInfo;
if (opts.reuse && existsSync(opts.dbPath) && existsSync(opts.metaFile)) {
  seedInfo = JSON.parse(readFileSync(opts.metaFile, 'utf8'));
  log(`reusing ${opts.dbPath}`);
} else {
  // In a process of its own, so no connection of the seed's outlives it (scripts/bench/seed-process.mjs).
  rmSync(opts.metaFile, { force: true });
  const seeded = spawnSync(process.execPath, [...process.execArgv, join(root, 'scripts', 'bench', 'seed-process.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (seeded.status !== 0) process.exit(seeded.status ?? 1);
  seedInfo = JSON.parse(readFileSync(opts.metaFile, 'utf8'));
  log(`seeded in ${seedInfo.seconds.toFixed(1)} s`);
}
results.seedSeconds = seedInfo.seconds;
results.seedChecks = seedInfo.checks;

if (buildIsStale(root)) {
  log('building…');
  const r = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], { stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) throw new Error('build failed');
}

// --------------------------------------------------------------- serve ----
const port = await freePort();
const portal = await startPortal(port, opts);
const base = `http://127.0.0.1:${port}`;
const rssAtStart = vmHWM(portal.pid);
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, vmHWM(portal.pid) ?? 0);
}, 500);
const stop = () => {
  clearInterval(rssTimer);
  portal.kill('SIGTERM');
};
process.on('exit', () => portal.exitCode === null && portal.kill('SIGKILL'));

// ---------------------------------------------------------------- load ----
let pages;
try {
  const db = await openDb({ url: opts.dbUrl });
  const chosen = await choosePages(db, base, opts.dataDir);
  pages = chosen.pages;
  const { htmlFiles } = chosen;
  const basePort = await freePort();
  const heavyCookie = seedInfo.heavyUserId ? await signedInCookie(db, seedInfo.heavyUserId) : null;
  if (opts.runPages) await loadPages({ base, basePort, htmlFiles, pages, portalPid: portal.pid, opts, results, heavyCookie });

  results.rssAfterStartMb = rssAtStart;
  results.peakRssAfterPagesMb = vmHWM(portal.pid);

  // Sign-up storm: 1,000 signed-in volunteers at once for a 50-seat event.
  const storm = await prepareStorm(db, { port, base, stormEventId: seedInfo.stormEventId, counts: opts.counts });
  if (opts.runStorm) {
    await storm.warmUp();
    // One profile per storm: the two take different paths (a 303 after a write, a re-rendered page).
    const profiled = async (name, run) => {
      const stopProfile = opts.profile && portal.inspectorUrl ? await startProfile(portal.inspectorUrl, join(opts.dataDir, `${name}.cpuprofile`)) : null;
      try {
        return await run();
      } finally {
        await stopProfile?.();
      }
    };
    results.storm = await profiled('storm-waitlist-on', () => storm.runStorm(true));
    results.stormNoWaitlist = await profiled('storm-waitlist-off', () => storm.runStorm(false));
  }
  await storm.cleanUp();
  if (opts.runExport) await runExport({ db, base, portalPid: portal.pid, results, rows: opts.exportRows });
  // The flood last: its 503s and queue must not colour the figures above (issue 22).
  if (opts.runFlood) await runFlood({ base, pages, opts, results });
  if (opts.runPages) results.baselineEnd = await loadBaselineAgain({ basePort, htmlFiles, opts });
  db.$client.close();
} finally {
  await new Promise((r) => setTimeout(r, 600));
  peakRss = Math.max(peakRss, vmHWM(portal.pid) ?? 0);
  stop();
  // Let it shut down cleanly (closes the database; writes a --cpu-prof if one was asked for).
  await new Promise((r) => {
    const t = setTimeout(r, 10_000);
    portal.once('exit', () => {
      clearTimeout(t);
      r();
    });
  });
}
results.peakRssMb = peakRss;

// ------------------------------------------------------------- workers ----
if (opts.runWorkers) {
  const db = await openDb({ url: opts.dbUrl });
  const path = (name) => pages.find(([n]) => n === name)[1];
  results.workers = await compareWorkers({ db, honoree: path('honoree page'), article: path('article page'), stormEventId: seedInfo.stormEventId, opts });
  db.$client.close();
  results.targets.push(...results.workers.targets);
  printWorkers(results.workers);
}

// ------------------------------------------------------------- report ----
await report(results, opts);
process.exit(0);
