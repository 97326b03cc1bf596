// Worker processes compared (issue 22, both cores; docs/decisions/104): the portal started with
// WORKERS=1, then WORKERS=2 with each way of spreading connections, in the same run on the same
// data, each measured the same few seconds: uncached honoree and article pages, a cached page, the
// sign-up storm. Besides req/s it reads the portal's CPU time per request from /proc (a fairer
// figure on a shared machine than wall-clock speed) and every process's peak RSS.
import { readFileSync } from 'node:fs';
import { load } from './load.mjs';
import { log } from './options.mjs';
import { childPids, freePort, processHWM, startPortal } from './servers.mjs';
import { prepareStorm } from './storm.mjs';

/** The configurations compared, the single process first: every ratio is to it. */
export const WORKER_CONFIGS = [
  { name: '1 process', env: { WORKERS: '1' } },
  { name: '2 workers (reuseport)', env: { WORKERS: '2', WORKER_BALANCE: 'reuseport' } },
  { name: '2 workers (cluster)', env: { WORKERS: '2', WORKER_BALANCE: 'cluster' } },
];

/** CPU time (user + system) in ms of the given processes so far (Linux; clock ticks of 10 ms). */
function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name: state is 3rd, utime 14th, stime 15th.
      const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop().split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      /* a process that is gone used nothing more */
    }
  }
  return ticks * 10;
}

/** Starts the portal in one configuration, measures it and stops it. */
async function measure(config, { pages, stormEventId, db, opts }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const portal = await startPortal(port, opts, config.env);
  const pids = () => [portal.pid, ...childPids(portal.pid)];
  const seconds = opts.workersDuration;
  const out = { name: config.name, workers: Number(config.env.WORKERS), loads: {} };
  try {
    // Warm every worker (50 connections spread over them), unmeasured.
    for (const [, path, headers] of pages) await load(base + path, opts, headers, 2);
    for (const [name, path, headers] of pages) {
      const cpu0 = cpuMs(pids());
      const r = await load(base + path, opts, headers, seconds);
      const cpu = cpuMs(pids()) - cpu0;
      out.loads[name] = { ...r, cpuMsPerRequest: r.requests ? cpu / r.requests : null };
      log(`${config.name}: ${name} ${Math.round(r.rps)} req/s p99 ${r.p99} ms, ${out.loads[name].cpuMsPerRequest?.toFixed(2)} ms CPU per request`);
    }
    const storm = await prepareStorm(db, { port, base, stormEventId, counts: opts.counts });
    try {
      await storm.warmUp();
      out.storm = await storm.runStorm(true);
      out.stormNoWaitlist = await storm.runStorm(false);
      log(`${config.name}: storm p99 ${Math.round(out.storm.p99)} / ${Math.round(out.stormNoWaitlist.p99)} ms, ${out.storm.confirmed} / ${out.stormNoWaitlist.confirmed} confirmed`);
    } finally {
      await storm.cleanUp();
    }
    out.rssMb = pids().map((pid) => ({ pid, role: out.workers === 1 ? 'server' : pid === portal.pid ? 'primary' : 'worker', peakMb: processHWM(pid) }));
  } finally {
    portal.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(r, 20_000);
      portal.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  }
  return out;
}

/**
 * Runs every configuration on the benchmark database; returns what it measured, the ratios to the
 * single process and the targets (appended to results.targets by the caller).
 */
export async function compareWorkers({ db, honoree, article, stormEventId, opts }) {
  const bypass = { 'x-bench-no-cache': '1' };
  const pages = [
    ['honoree page (uncached)', honoree, bypass],
    ['article page (uncached)', article, bypass],
    ['honoree page (cached)', honoree, {}],
  ];
  const runs = [];
  for (const config of WORKER_CONFIGS) runs.push(await measure(config, { pages, stormEventId, db, opts }));
  const one = runs[0];
  for (const r of runs) r.ratios = Object.fromEntries(pages.map(([name]) => [name, r.loads[name].rps / one.loads[name].rps]));
  const targets = [];
  for (const r of runs.slice(1)) {
    const uncached = ['honoree page (uncached)', 'article page (uncached)'];
    targets.push({
      label: `${r.name}: uncached pages ≥ 1.6 × 1 process`,
      ok: uncached.every((n) => r.ratios[n] >= 1.6),
      detail: uncached.map((n) => `${n.replace(' (uncached)', '')} ${r.ratios[n].toFixed(2)}×`).join(', '),
    });
    targets.push({
      // errors: 5xx (the overload guard's 503 included) or no answer.
      label: `${r.name}: storm exact (${opts.counts.stormSeats} confirmed, 0 errors)`,
      ok: [r.storm, r.stormNoWaitlist].every((st) => st.confirmed === opts.counts.stormSeats && st.errors === 0),
      detail: `${r.storm.confirmed} / ${r.stormNoWaitlist.confirmed} confirmed, ${r.storm.errors + r.stormNoWaitlist.errors} errors`,
    });
  }
  const workerRss = runs.flatMap((r) => r.rssMb.filter((p) => p.role !== 'primary').map((p) => p.peakMb ?? 0));
  targets.push({ label: 'server RSS ≤ 350 MB per worker (worker comparison)', ok: Math.max(...workerRss) <= 350, detail: `${Math.round(Math.max(...workerRss))} MB` });
  return { seconds: opts.workersDuration, connections: opts.connections, runs, targets };
}

/** The comparison as a table: req/s, p99, × the single process, CPU ms per request, storm p99, RSS. */
export function printWorkers(W) {
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(`\nworker processes (${W.connections} connections × ${W.seconds} s each; CPU = the portal's processes' user + system time per request, from /proc)\n`);
  console.log(`${pad('configuration / page', 48)}${lpad('req/s', 8)}${lpad('p99 ms', 8)}${lpad('× 1', 7)}${lpad('CPU ms', 8)}`);
  for (const r of W.runs) {
    for (const [name, l] of Object.entries(r.loads))
      console.log(`${pad(`${r.name}: ${name}`, 48)}${lpad(Math.round(l.rps), 8)}${lpad(l.p99, 8)}${lpad(r.ratios[name].toFixed(2), 7)}${lpad(l.cpuMsPerRequest?.toFixed(2) ?? '–', 8)}`);
    console.log(
      `${pad(`${r.name}: storm p99 waitlist on / off`, 48)}${lpad(`${Math.round(r.storm.p99)} / ${Math.round(r.stormNoWaitlist.p99)} ms`, 23)}   confirmed ${r.storm.confirmed} / ${r.stormNoWaitlist.confirmed}, errors ${r.storm.errors + r.stormNoWaitlist.errors}, kernel drops ${r.storm.listenDrops ?? 'n/a'} / ${r.stormNoWaitlist.listenDrops ?? 'n/a'}`,
    );
    console.log(`${pad(`${r.name}: peak RSS`, 48)}${r.rssMb.map((p) => `${p.role} ${Math.round(p.peakMb ?? 0)} MB`).join(', ')}`);
  }
}
