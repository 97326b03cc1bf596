// `--scale 1,10`: the runs of several scales side by side, read from bench/results-scale-<N>.json, so
// the cost of growth is one table: each figure at each scale and the last scale over the first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Prints one table of the given scales' results (each written by its own full run). */
export function compare(root, scales) {
  const runs = scales.map((s) => {
    const f = join(root, 'bench', `results-scale-${s}.json`);
    return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
  });
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  const names = [...new Set(runs.flatMap((r) => r?.rows.map((x) => x.name) ?? []))];
  const cell = (r, name) => {
    const x = r?.rows.find((y) => y.name === name);
    if (!x) return { text: '—', rps: null };
    const ratio = x.cached || x.ratio === 1 ? ` ${x.ratio.toFixed(2)}×` : '';
    const wrk = x.wrk ? ` wrk ${x.wrk.ratio.toFixed(2)}×` : '';
    // Against the bare server sending the page's own bytes (docs/decisions/114), where the run measured it.
    const same = x.sameBytes ? ` same bytes ${x.sameBytes.ratio.toFixed(2)}/${x.sameBytes.wrkRatio.toFixed(2)}×` : '';
    const service = x.service ? ` (p99 ${x.service.p99} at ${x.service.connections ?? 2})` : '';
    return { text: `${Math.round(x.rps)} r/s p99 ${x.p99}${ratio}${wrk}${same}${service}`, rps: x.rps };
  };
  const W = 84;
  console.log(`\n善行 benchmark by scale (${scales.join(' / ')})\n`);
  console.log(`${pad('figure', 42)}${scales.map((s) => lpad(`scale ${s}`, W)).join('')}${lpad('last/first', 12)}`);
  for (const name of names) {
    const cells = runs.map((r) => cell(r, name));
    const first = cells[0].rps;
    const last = cells[cells.length - 1].rps;
    console.log(`${pad(name, 42)}${cells.map((c) => lpad(c.text, W)).join('')}${lpad(first && last ? `${(last / first).toFixed(2)}×` : '', 12)}`);
  }
  const line = (label, f) => console.log(`${pad(label, 42)}${runs.map((r) => lpad(r ? f(r) : '—', W)).join('')}`);
  line('storm p99, waitlist on / off', (r) => `${Math.round(r.storm?.p99 ?? NaN)} / ${Math.round(r.stormNoWaitlist?.p99 ?? NaN)} ms`);
  line('flood: answered p99, cached during/quiet', (r) => (r.flood ? `${r.flood.p99} ms, ${r.flood.cached.ratio.toFixed(2)}×` : '—'));
  line('peak server RSS', (r) => `${Math.round(r.peakRssMb)} MB`);
  line('seed', (r) => `${r.seedSeconds.toFixed(0)} s`);
  line('targets met', (r) => `${r.targets.filter((t) => t.ok && !t.info).length}/${r.targets.filter((t) => !t.info).length}`);
}
