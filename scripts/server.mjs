// The HTTP server in front of Astro's handler (built into dist/server/entry.mjs).
// Issue 8 adds the anonymous-page cache here; issue 9 the overload guard.
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Creates (but does not start) the portal's HTTP server. */
export async function createServer({ root }) {
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const entry = await import(pathToFileURL(join(root, 'dist', 'server', 'entry.mjs')).href);
  const handler = entry.handler;
  const server = http.createServer((req, res) => handler(req, res));
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return server;
}
