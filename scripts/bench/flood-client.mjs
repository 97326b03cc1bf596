// The flood's client, in a process of its own so that the cached-page measurement running beside it
// in the benchmark has its own event loop: autocannon with 200 connections on cache-busting and
// genuinely uncached pages. Argument: JSON { base, busted, uncached, connections, duration, timeout };
// prints one JSON line with the counts and the latencies of answered requests.
import autocannon from 'autocannon';

const { base, busted, uncached, connections, duration, timeout } = JSON.parse(process.argv[2]);
let n = 0;
const latencies = { all: [], ok: [], busy: [] };
const instance = autocannon(
  {
    url: base,
    connections,
    duration,
    timeout,
    requests: [
      {
        // One request in three a cache-buster (`?r=<random>` on a cached page), two genuinely
        // uncached (x-bench-no-cache: the portal renders them every time).
        setupRequest(req) {
          const i = n++;
          if (i % 3 === 0) return { ...req, path: `${busted}?r=${Math.random().toString(36).slice(2)}`, headers: {} };
          return { ...req, path: uncached[i % uncached.length], headers: { 'x-bench-no-cache': '1' } };
        },
      },
    ],
  },
  (err, r) => {
    if (err) throw err;
    const sorted = Object.fromEntries(Object.entries(latencies).map(([k, v]) => [k, v.sort((a, b) => a - b)]));
    const pct = (arr, p) => (arr.length ? arr[Math.min(arr.length - 1, Math.floor(arr.length * p))] : null);
    console.log(
      JSON.stringify({
        duration: r.duration,
        sent: r.requests.sent,
        answered: sorted.all.length,
        ok2xx: r['2xx'],
        busy503: sorted.busy.length,
        other: sorted.all.length - r['2xx'] - sorted.busy.length,
        timeouts: r.timeouts,
        errors: r.errors,
        p50: pct(sorted.all, 0.5),
        p99: pct(sorted.all, 0.99),
        okP99: pct(sorted.ok, 0.99),
        busyP50: pct(sorted.busy, 0.5),
        busyP99: pct(sorted.busy, 0.99),
        maxMs: sorted.all.at(-1) ?? null,
      }),
    );
  },
);
instance.on('response', (_client, status, _bytes, ms) => {
  latencies.all.push(ms);
  if (status >= 200 && status < 300) latencies.ok.push(ms);
  else if (status === 503) latencies.busy.push(ms);
});
