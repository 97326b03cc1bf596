// The benchmark's command line (flags, scale, sizes, paths) and its log line, read once by scripts/bench.mjs.
import { join } from 'node:path';

/** Usage, printed by --help. */
export const USAGE = `npm run bench [-- --scale 0.05] [-- --duration 10] [-- --reuse] [-- --only pages|storm|flood|workers|export] [-- --profile]
  --scale N      data size relative to a county (1 = 50,000 volunteers, 1,000,000 hour records; default 1;
                 10 = a prefecture city: 500,000 volunteers, 10,000,000 hour records, 200,000 articles)
  --scale 1,10   each scale in turn (with --reuse: their seeded databases kept), then one table side by side
  --duration S   seconds of load per page (default 10)
  --reuse        keep the database seeded by an earlier run at the same scale
  --only X       pages | storm | flood | workers | export: run one part; bench/results.json is then left as it was
  --export-rows N  rows of the 台账 export figure (default 1,000,000: the newest records)
  --workers-duration S  seconds per figure in the worker comparison (default 6, in 3 alternating turns): WORKERS=1 and 2 side by side
  --flood-duration S  seconds of the flood (default 15; 200 connections on cache-busting and uncached pages)
  --profile      CPU profiles of the portal during each storm (bench/data/storm-waitlist-on|off.cpuprofile)
  PORTAL_NODE_FLAGS overrides the portal's Node flags (default: those of npm start).`;

/** The scales asked for: `--scale 1,10` → [1, 10]; one scale → [it]. */
export function scaleList(argv) {
  const i = argv.indexOf('--scale');
  return i >= 0
    ? String(argv[i + 1])
        .split(',')
        .map(Number)
    : [1];
}

/** The run's settings from argv; `root` is the project folder. */
export function readOptions(argv, root) {
  const arg = (name, dflt) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const scale = Number(arg('scale', '1'));
  // --only pages | storm | flood: run one part (for working on it); the full run is what the README quotes.
  const only = arg('only', 'all');
  const dataDir = join(root, 'bench', 'data');
  const dbPath = join(dataDir, `bench-${scale}.db`);
  return {
    root,
    help: argv.includes('--help'),
    scale,
    duration: Number(arg('duration', '10')),
    reuse: argv.includes('--reuse'),
    only,
    runPages: only === 'all' || only === 'pages',
    runStorm: only === 'all' || only === 'storm',
    runFlood: only === 'all' || only === 'flood',
    // The 台账 download of the newest 1,000,000 records (scripts/bench/export.mjs).
    runExport: only === 'all' || only === 'export',
    exportRows: Number(arg('export-rows', '1000000')),
    // The portal with WORKERS=1 and WORKERS=2 side by side (scripts/bench/workers.mjs), after the rest.
    runWorkers: only === 'all' || only === 'workers',
    workersDuration: Number(arg('workers-duration', '6')),
    floodConnections: 200,
    floodDuration: Number(arg('flood-duration', '15')),
    // --profile: CPU profiles of the portal during each storm (bench/data/storm-waitlist-on|off.cpuprofile), via the inspector.
    profile: argv.includes('--profile'),
    connections: 50,
    dataDir,
    dbPath,
    dbUrl: `file:${dbPath}`,
    metaFile: join(dataDir, `bench-${scale}.json`),
    resultsFile: join(root, 'bench', `results-scale-${scale}.json`),
    counts: {
      volunteers: Math.round(50_000 * scale),
      teams: Math.max(10, Math.round(500 * scale)),
      events: Math.round(5_000 * scale),
      hours: Math.round(1_000_000 * scale),
      honorees: Math.round(5_000 * scale),
      articles: Math.round(20_000 * scale),
      orders: Math.round(10_000 * scale),
      lessons: 60,
      lectures: Math.max(20, Math.round(800 * scale)),
      storm: 1000,
      stormSeats: 50,
    },
  };
}

/** A timestamped progress line. */
export const log = (...a) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

export const DAY = 86400_000;
