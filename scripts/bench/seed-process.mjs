// The benchmark's seed in a process of its own (scripts/bench.mjs runs it and reads what it wrote to
// the meta file): when this process exits, its connection to the database is gone with it. Run inside
// the benchmark's process, the closed client's cached statements kept the native connection open until
// a garbage collection, and the portal started next on a freshly seeded scale-10 file failed its first
// PRAGMA with SQLITE_BUSY, every time (a `--reuse` run, which seeds nothing, started).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readOptions } from './options.mjs';
import { seedLarge } from './seed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const opts = readOptions(process.argv.slice(2), root);
writeFileSync(opts.metaFile, JSON.stringify(await seedLarge(opts)));
