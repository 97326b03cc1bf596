// Under a flood (issue 22): 200 connections for 15 s on cache-busting and genuinely uncached pages,
// from a client process of its own, while a cached page is measured beside it and compared with the
// same measurement on a quiet server. Counts timeouts, 503s and the answered requests' latencies.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { load } from './load.mjs';
import { log } from './options.mjs';

/** Runs the flood client; resolves with its JSON line. */
function floodClient(root, args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(root, 'scripts', 'bench', 'flood-client.mjs'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) reject(new Error(`flood client failed (exit ${code})`));
      else resolve(JSON.parse(line));
    });
  });
}

/** The flood and the cached page beside it; sets results.flood. */
export async function runFlood({ base, pages, opts, results }) {
  const honoree = pages.find(([n]) => n === 'honoree page')[1];
  const article = pages.find(([n]) => n === 'article page')[1];
  const cachedPath = '/';
  const { floodConnections: connections, floodDuration: duration } = opts;
  // The cached page as a visitor with the site open sees it: 10 kept-alive connections, quiet first.
  const probe = { connections: 10, duration };
  await load(base + cachedPath, probe, {}, 2);
  const quiet = await load(base + cachedPath, probe);
  log(`flood: cached ${cachedPath} quiet ${Math.round(quiet.rps)} req/s p99 ${quiet.p99} ms; flooding with ${connections} connections for ${duration} s…`);
  const [flood, during] = await Promise.all([floodClient(opts.root, { base, busted: honoree, uncached: [honoree, article], connections, duration, timeout: 10 }), load(base + cachedPath, probe)]);
  results.flood = {
    connections,
    duration,
    ...flood,
    cached: { path: cachedPath, quietRps: quiet.rps, quietP99: quiet.p99, duringRps: during.rps, duringP99: during.p99, duringErrors: during.non2xx + during.errors, ratio: during.rps / quiet.rps },
  };
  log(
    `flood: ${flood.answered} answered (${flood.ok2xx} 2xx, ${flood.busy503} 503), ${flood.timeouts} timeouts, p99 ${flood.p99} ms; cached during it ${Math.round(during.rps)} req/s (${(during.rps / quiet.rps).toFixed(2)}× quiet)`,
  );
}
