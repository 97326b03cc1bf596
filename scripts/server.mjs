// The HTTP server in front of Astro's handler (built into dist/server/entry.mjs).
// Issue 8 adds the anonymous-page cache here; issue 9 the overload guard.
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestGuard } from './request-guard.mjs';

/** Creates (but does not start) the portal's HTTP server. */
export async function createServer({ root }) {
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const entry = await import(pathToFileURL(join(root, 'dist', 'server', 'entry.mjs')).href);
  const handler = entry.handler;
  const guard = createRequestGuard({
    lagThresholdMs: Number(process.env.OVERLOAD_LAG_MS || 1000),
    maxBodyBytes: Number(process.env.MAX_BODY_BYTES || 12 * 1024 * 1024),
  });
  const server = http.createServer((req, res) => {
    if (guard(req, res)) return;
    handler(req, res);
  });
  server.on('close', () => guard.stop());
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return server;
}
