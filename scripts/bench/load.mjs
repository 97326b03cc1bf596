// Page loads: autocannon against the portal's public pages, cached and uncached, beside a bare
// node:http server serving the same honoree HTML (the baseline every ratio is measured against).
import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './options.mjs';
import { startBaseline, vmHWM } from './servers.mjs';

/** One autocannon run: requests/s counting 2xx answers only, latency percentiles, failures. */
export function load(url, { connections, duration }, headers = {}, seconds = duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers }, (err, r) =>
      err
        ? reject(err)
        : resolve({
            rps: r['2xx'] / r.duration,
            allRps: r.requests.average,
            p50: r.latency.p50,
            p99: r.latency.p99,
            non2xx: r.non2xx,
            errors: r.errors + r.timeouts,
            requests: r.requests.total,
          }),
    );
  });
}

/** The pages to load (a published honoree and article picked from the seeded data), and the baseline's copy of the honoree page. */
export async function choosePages(db, base, dataDir) {
  const one = async (sql) => (await db.$client.execute(sql)).rows[0];
  const honoreeSlug = String((await one(`SELECT slug FROM honorees WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 7`)).slug);
  const articleSlug = String((await one(`SELECT slug FROM articles WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 11`)).slug);
  const pages = [
    ['home', '/'],
    ['/honors', '/honors'],
    ['honoree page', `/honors/${honoreeSlug}`],
    ['article page', `/articles/${articleSlug}`],
    ['search 2 chars', `/search?q=${encodeURIComponent('社区')}`],
    ['search 4 chars', `/search?q=${encodeURIComponent('反诈宣传')}`],
    ['/stats', '/stats'],
  ];
  // Baseline: the same honoree page's HTML from a bare node:http server.
  const html = await (await fetch(base + pages[2][1])).text();
  const htmlFile = join(dataDir, 'baseline.html');
  writeFileSync(htmlFile, html);
  return { pages, htmlFile };
}

/** Warms up, measures the baseline, then every page cached and the honoree and article pages uncached; appends to results.rows. */
export async function loadPages({ base, basePort, htmlFile, pages, portalPid, opts, results }) {
  const baseline = await startBaseline(basePort, htmlFile);
  log('warming up…');
  for (const [, path] of pages) for (let i = 0; i < 3; i++) await fetch(base + path).then((r) => r.arrayBuffer());
  await load(base + '/', opts, {}, 2);

  const baseRes = await load(`http://127.0.0.1:${basePort}/`, opts);
  baseline.kill();
  results.rows.push({ name: 'bare node:http baseline (honoree HTML)', ...baseRes, ratio: 1 });
  log(`baseline ${Math.round(baseRes.rps)} req/s`);
  for (const [name, path] of pages) {
    const r = await load(base + path, opts);
    results.rows.push({ name: `${name} (cached)`, path, cached: true, ...r, ratio: r.rps / baseRes.rps, peakRssMb: vmHWM(portalPid) });
    log(`${name}: ${Math.round(r.rps)} req/s p99 ${r.p99} ms`);
  }
  for (const [name, path] of [pages[2], pages[3]]) {
    const r = await load(base + path, opts, { 'x-bench-no-cache': '1' });
    results.rows.push({ name: `${name} (uncached)`, path, cached: false, ...r, ratio: r.rps / baseRes.rps, peakRssMb: vmHWM(portalPid) });
    log(`${name} uncached: ${Math.round(r.rps)} req/s p99 ${r.p99} ms`);
  }
}

/**
 * The same baseline once more at the end: this machine's speed drifts (another tenant, its
 * host), and a run in which it changed says so next to its figures.
 */
export async function loadBaselineAgain({ basePort, htmlFile, opts }) {
  const baseline = await startBaseline(basePort, htmlFile);
  const r = await load(`http://127.0.0.1:${basePort}/`, opts);
  baseline.kill();
  return r;
}
