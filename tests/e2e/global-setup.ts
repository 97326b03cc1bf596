// Builds the site once before the browser tests (npm start would do the same).
import { spawnSync } from 'node:child_process';
import { buildIsStale } from '../../scripts/lib.mjs';
import { chromiumPath } from '../helpers/browser.ts';

export default function setup() {
  chromiumPath();
  if (buildIsStale(process.cwd())) {
    const r = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], { stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) throw new Error('astro build failed');
  }
}
