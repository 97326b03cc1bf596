// Structured JSON-line logs on stdout. Never pass passwords, tokens or full ID numbers.
import { readLogLevel } from './config.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let seen: string | undefined;
let level: number = ORDER.info;
/**
 * LOG_LEVEL through the configuration's own parser: read raw here, `LOG_LEVEL=WARN` passed the
 * start-up check and then logged at info (issue 16, item 3). Re-parsed only when the variable changes.
 */
function threshold(): number {
  const raw = process.env.LOG_LEVEL;
  if (raw !== seen) {
    seen = raw;
    try {
      level = ORDER[readLogLevel(process.env)];
    } catch {
      level = ORDER.info; // start-up already refused a bad value; scripts and tests keep the default
    }
  }
  return level;
}

/** Replaces path segments that look like secrets (long tokens) with :token. */
export function redactPath(path: string): string {
  return path
    .split('/')
    .map((seg) => (/^[A-Za-z0-9_-]{20,}(\.[a-z]+)?$/.test(seg) ? ':token' + (seg.match(/\.[a-z]+$/)?.[0] ?? '') : seg))
    .join('/');
}

/** Whether a line at this level would be written (to skip building its fields). */
export function logs(level: Level): boolean {
  return ORDER[level] >= threshold();
}

/** Writes one log line. */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < threshold()) return;
  // pid: with WORKERS > 1 several processes write to one stdout; it names the one that answered.
  process.stdout.write(JSON.stringify({ t: new Date().toISOString(), level, pid: process.pid, msg, ...fields }) + '\n');
}

/**
 * The one line per answered request (src/middleware/log-request.ts, and the sign-up form answered before
 * Astro, src/server/signup-form.ts): errors at `error`, refusals (401/403/429) at `warn`, the rest at `info`.
 */
export function logRequest({ reqId, userId, method, path, status, ms }: { reqId: string; userId: number | null; method: string; path: string; status: number; ms: number }): void {
  const refused = status === 401 || status === 403 || status === 429;
  const level: Level = status >= 500 ? 'error' : refused ? 'warn' : 'info';
  if (logs(level)) log(level, refused ? 'request refused' : 'request', { reqId, userId, method, route: redactPath(path), status, ms });
}
