// The processes a benchmark run measures: the portal (started as `npm start` starts it), a bare
// node:http baseline serving one saved page, the V8 profiler, and what /proc says about them.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { join } from 'node:path';
import { log } from './options.mjs';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The node flags of package.json's start script (`node <flags> scripts/start.mjs`). */
function startFlags(root) {
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  const m = /^node\s+(.*?)\s*scripts\/start\.mjs/.exec(start);
  if (!m) throw new Error(`cannot read node flags from the start script: ${start}`);
  return m[1];
}

/** Starts scripts/start.mjs on the benchmark database at `port`; resolves once it serves. */
export async function startPortal(port, { root, dbUrl, dataDir, profile }, env = {}) {
  // The portal runs with the same Node flags as `npm start` (read from package.json), so the
  // figures are the production server's; PORTAL_NODE_FLAGS overrides them for experiments.
  const flags = (process.env.PORTAL_NODE_FLAGS ?? startFlags(root)).split(/\s+/).filter(Boolean);
  log(`portal node flags: ${flags.join(' ') || '(none)'}`);
  const proc = spawn(process.execPath, [...flags, ...(profile ? ['--inspect=127.0.0.1:0'] : []), 'scripts/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl,
      SECRET_KEY: readFileSync(join(dataDir, 'secret.key'), 'utf8'),
      SEED_DEMO: 'false',
      SITE_URL: `http://127.0.0.1:${port}`,
      UPLOADS_DIR: join(dataDir, 'uploads'),
      BENCH_CACHE_BYPASS: '1',
      LOG_LEVEL: 'warn',
      // A CPU profile is of one process: the primary of several workers serves nothing.
      ...(profile ? { WORKERS: '1' } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 180_000;
  while (!out.includes('Serving at')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`portal did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.inspectorUrl = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(out)?.[0];
  return proc;
}

/** Starts the V8 profiler in the portal; the returned function stops it and writes the profile. */
export async function startProfile(wsUrl, file) {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let seq = 0;
  const pending = new Map();
  ws.onmessage = (m) => {
    const d = JSON.parse(m.data);
    pending.get(d.id)?.(d.result);
    pending.delete(d.id);
  };
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++seq;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.start');
  return async () => {
    const { profile } = await send('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    ws.close();
    log(`CPU profile written to ${file}`);
  };
}

/**
 * A bare node:http server: `/` answers with the bytes of the first file, `/<i>` with the i-th —
 * every page's own bytes, so a page's ratio to it is the portal's cost per request, not its size —
 * and `/h<i>` with the same bytes under the headers saved beside the file as `<file>.headers.json`
 * when there is one (the portal's own header lines: what a client parses besides the body).
 */
export function startBaseline(port, htmlFiles) {
  const files = JSON.stringify([htmlFiles].flat());
  const code = `const fs=require('fs');const fl=${files};const bs=fl.map((f)=>fs.readFileSync(f));const hs=fl.map((f,i)=>fs.existsSync(f+'.headers.json')?{...JSON.parse(fs.readFileSync(f+'.headers.json','utf8')),'Content-Length':bs[i].length}:null);require('http').createServer((q,s)=>{const h=q.url[1]==='h';const i=q.url.length===1?0:Number(q.url.slice(h?2:1));const b=bs[i];s.writeHead(200,h&&hs[i]?hs[i]:{'Content-Type':'text/html; charset=utf-8','Content-Length':b.length});s.end(b)}).listen(${port},'127.0.0.1',()=>console.log('ready'))`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => proc.stdout.once('data', () => resolve(proc)));
}

/** The kernel's count of connections dropped because a listen queue was full (Linux; null elsewhere). */
export function listenOverflows() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const i = names.indexOf('ListenOverflows');
    return i > 0 ? Number(values[i]) : null;
  } catch {
    return null;
  }
}

/** The process ids a process started (Linux; [] elsewhere): the workers of a portal with WORKERS > 1. */
export function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The peak resident set (VmHWM) of one process in MB, or null. */
export function processHWM(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The largest peak resident set (VmHWM) in MB among a portal's processes (itself and its workers; the limit is per process), or null. */
export function vmHWM(pid) {
  const each = [pid, ...childPids(pid)].map(processHWM).filter((x) => x != null);
  return each.length ? Math.max(...each) : null;
}
