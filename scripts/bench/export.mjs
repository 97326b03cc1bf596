// The 台账 export at size (issue 22, docs/decisions/108): the newest 1,000,000 hour records downloaded
// from /console/ledger.xlsx as fast as this client reads (rows/s, MB, the portal's RSS before and at its
// peak), then a client that reads 1 MB and stalls (what the portal's CPU and RSS do meanwhile), then goes
// away (the portal still answers).
import { readFileSync } from 'node:fs';
import { childPids } from './servers.mjs';
import { signedInCookie } from './storm.mjs';
import { log } from './options.mjs';

const MB = 1024 * 1024;
/** How long the stalled client waits without reading; the portal's CPU is read over its last STALL_WINDOW_MS (before, it fills the sockets' buffers). */
const STALL_MS = 10_000;
const STALL_WINDOW_MS = 3000;

/**
 * Resident set of the portal's serving processes (the largest worker; the process itself without workers),
 * in MB. With workers the primary serves nothing: what it still holds from start-up (a migration's index
 * build at scale 10 left it at 600 MB) is not the export's.
 */
function rssMb(pid) {
  const workers = childPids(pid);
  const each = (workers.length ? workers : [pid]).map((p) => {
    try {
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  });
  return Math.max(0, ...each);
}

/** CPU milliseconds (user + system) of the portal's processes so far. */
function cpuMs(pid) {
  let ticks = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a worker that is gone
    }
  }
  return ticks * 10;
}

/** Runs the export figures against the portal at `base`; adds `results.export` and its targets. */
export async function runExport({ db, base, portalPid, results, rows: want = 1_000_000 }) {
  const exec = (sql, args = []) => db.$client.execute({ sql, args });
  // The bench data has no staff: the first volunteer is made an administrator for this step only.
  const admin = Number((await exec(`SELECT id FROM users ORDER BY id LIMIT 1`)).rows[0].id);
  const hadAdmin = (await exec(`SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'admin'`, [admin])).rows.length > 0;
  if (!hadAdmin) await exec(`INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'admin', ?)`, [admin, Date.now()]);
  const cookie = await signedInCookie(db, admin);
  try {
    // The newest `want` records: from the Beijing day of the want-th newest start on.
    const edge = Number((await exec(`SELECT starts_at FROM hour_records ORDER BY starts_at DESC LIMIT 1 OFFSET ?`, [want - 1])).rows[0]?.starts_at ?? 0);
    const from = new Date(edge + 8 * 3600_000).toISOString().slice(0, 10);
    const fromMs = Date.parse(`${from}T00:00:00+08:00`);
    const rows = Number((await exec(`SELECT count(*) AS n FROM hour_records WHERE starts_at >= ?`, [fromMs])).rows[0].n);
    const url = `${base}/console/ledger.xlsx?from=${from}`;
    log(`export: ${rows.toLocaleString('en')} rows from ${from}…`);

    // 1. As fast as the client reads.
    const rssBefore = rssMb(portalPid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(portalPid))), 200);
    const cpu0 = cpuMs(portalPid);
    let t0 = performance.now();
    let res = await fetch(url, { headers: { cookie } });
    // A portal just started (or busy with its start-up jobs at scale 10) may answer 503 with Retry-After.
    for (let i = 0; i < 10 && res.status === 503; i++) {
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 1000));
      t0 = performance.now();
      res = await fetch(url, { headers: { cookie } });
    }
    if (res.status !== 200) log(`export: answered ${res.status}`);
    let bytes = 0;
    for await (const chunk of res.body) bytes += chunk.length;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuMs(portalPid) - cpu0;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, rssMb(portalPid));

    // 2. A client that reads 1 MB, then stalls, then goes away.
    const ac = new AbortController();
    const slow = await fetch(url, { headers: { cookie }, signal: ac.signal });
    const reader = slow.body.getReader();
    let got = 0;
    while (got < MB) got += (await reader.read()).value.length;
    const stallRss0 = rssMb(portalPid);
    await new Promise((r) => setTimeout(r, STALL_MS - STALL_WINDOW_MS));
    const stallCpu0 = cpuMs(portalPid);
    await new Promise((r) => setTimeout(r, STALL_WINDOW_MS));
    const stalled = { cpuMs: cpuMs(portalPid) - stallCpu0, rssGrowthMb: rssMb(portalPid) - stallRss0 };
    ac.abort();
    await reader.cancel().catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
    const afterCpu0 = cpuMs(portalPid);
    await new Promise((r) => setTimeout(r, 1000));
    const afterAbortCpuMs = cpuMs(portalPid) - afterCpu0;
    const health = await fetch(`${base}/healthz`).then((r) => r.status);

    results.export = {
      status: res.status,
      rows,
      mb: bytes / MB,
      seconds,
      rowsPerSec: rows / seconds,
      portalCpuMs: cpu,
      rowsPerCpuSec: rows / (cpu / 1000),
      rssBeforeMb: rssBefore,
      rssPeakMb: rssPeak,
      stalled,
      afterAbortCpuMs,
      healthAfterAbort: health,
    };
    const E = results.export;
    results.targets.push(
      {
        label: `台账 export of ${rows.toLocaleString('en')} rows: complete, portal RSS ≤ 350 MB`,
        ok: res.status === 200 && E.rssPeakMb <= 350,
        detail: `${res.status}, ${Math.round(E.rowsPerSec).toLocaleString('en')} rows/s (${Math.round(E.rowsPerCpuSec).toLocaleString('en')} per CPU s), ${E.mb.toFixed(0)} MB, RSS ${E.rssBeforeMb.toFixed(0)} → peak ${E.rssPeakMb.toFixed(0)} MB`,
      },
      {
        label: '台账 export: a stalled client is not read ahead of; one that leaves stops the export',
        ok: stalled.rssGrowthMb < 20 && health === 200,
        detail: `stalled ${STALL_MS / 1000} s: portal CPU ${stalled.cpuMs} ms in its last ${STALL_WINDOW_MS / 1000} s, RSS ${stalled.rssGrowthMb >= 0 ? '+' : ''}${stalled.rssGrowthMb.toFixed(1)} MB; after leaving: CPU ${afterAbortCpuMs} ms/s, /healthz ${health}`,
      },
    );
    log(`export: ${E.rowsPerSec.toFixed(0)} rows/s, ${E.mb.toFixed(0)} MB in ${seconds.toFixed(1)} s, RSS ${E.rssBeforeMb.toFixed(0)} → ${E.rssPeakMb.toFixed(0)} MB`);
  } finally {
    await exec(`DELETE FROM sessions WHERE user_id = ?`, [admin]);
    if (!hadAdmin) await exec(`DELETE FROM user_roles WHERE user_id = ? AND role = 'admin'`, [admin]);
  }
}
