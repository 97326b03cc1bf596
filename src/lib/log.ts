// Structured JSON-line logs on stdout. Never pass passwords, tokens or full ID numbers.
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const l = (process.env.LOG_LEVEL ?? 'info') as Level;
  return ORDER[l] ?? ORDER.info;
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
  process.stdout.write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }) + '\n');
}
