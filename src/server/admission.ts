// Admission control for renders (issue 22, docs/decisions/096): at most `concurrency` requests in
// Astro's handler at once, the rest in a short queue; a request that could not start in time gets a
// 503 with Retry-After at once instead of waiting in a socket. Cache hits and static files are
// answered before this gate and never wait behind renders.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeHandler } from './page-cache.ts';

export interface AdmissionOptions {
  /** Renders allowed at the same time; 0 turns admission control off. */
  concurrency: number;
  /** The longest a page view (GET/HEAD) may wait for its turn. */
  maxWaitMs: number;
  /** The longest a form post may wait: someone's 报名 in a storm waits longer than a page view. */
  maxWriteWaitMs: number;
  /** Waiting requests beyond this count are refused whatever the estimate says. */
  maxQueue: number;
  /** Answers a refused request (the busy page: 503, Retry-After, security headers). */
  refuse: (req: IncomingMessage, res: ServerResponse) => void;
  /** A render's expected duration before any has been measured. */
  initialRenderMs?: number;
  now?: () => number;
}

/** Counters for tests and the benchmark. */
export interface AdmissionStats {
  started: number;
  queued: number;
  /** Refused on arrival: the queue ahead would not drain in time. */
  refused: number;
  /** Refused after waiting: the queue did not drain as fast as estimated. */
  expired: number;
  /** Left the queue because the client went away. */
  abandoned: number;
}

/** The gate: wraps the handler that renders; `state()` says what is running and waiting. */
export interface Admission {
  (handler: NodeHandler): NodeHandler;
  state(): { running: number; waiting: number; renderMs: number };
  stats: AdmissionStats;
}

interface Waiter {
  start: () => void;
  refuse: () => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

const isWrite = (req: IncomingMessage) => req.method !== 'GET' && req.method !== 'HEAD';

/** Creates the gate. Paths that must always answer (`/healthz`) pass without waiting. */
export function createAdmission(opts: AdmissionOptions): Admission {
  const { concurrency, maxWaitMs, maxWriteWaitMs, maxQueue, refuse } = opts;
  const now = opts.now ?? (() => performance.now());
  const stats: AdmissionStats = { started: 0, queued: 0, refused: 0, expired: 0, abandoned: 0 };
  let running = 0;
  // Writes are someone's action and go first; page views wait behind them (or run out of time).
  const writes: Waiter[] = [];
  const reads: Waiter[] = [];
  // Moving average of a render's wall time with `concurrency` sharing the process.
  let renderMs = opts.initialRenderMs ?? 10;

  /** Expected wait for a request with `ahead` requests queued before it. */
  const expectedWait = (ahead: number) => ((ahead + 1) * renderMs) / concurrency;

  function pump() {
    while (running < concurrency) {
      const next = writes.shift() ?? reads.shift();
      if (!next) return;
      clearTimeout(next.timer);
      next.done = true;
      next.start();
    }
  }

  function run(handler: NodeHandler, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    running++;
    stats.started++;
    const t0 = now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running--;
      renderMs = renderMs * 0.9 + Math.max(0.1, now() - t0) * 0.1;
      pump();
    };
    // Whichever comes first: the handler settles, or the client is gone.
    res.once('close', release);
    try {
      return Promise.resolve(handler(req, res)).finally(release);
    } catch (e) {
      release();
      return Promise.reject(e);
    }
  }

  const gate = (handler: NodeHandler): NodeHandler => {
    if (concurrency <= 0) return handler;
    return (req, res) => {
      if (req.url === '/healthz') return handler(req, res);
      if (running < concurrency && writes.length === 0 && reads.length === 0) return run(handler, req, res);
      const write = isWrite(req);
      const ahead = write ? writes.length : writes.length + reads.length;
      const limit = write ? maxWriteWaitMs : maxWaitMs;
      if (writes.length + reads.length >= maxQueue || expectedWait(ahead) > limit) {
        stats.refused++;
        refuse(req, res);
        return;
      }
      stats.queued++;
      const queue = write ? writes : reads;
      return new Promise<unknown>((resolve, reject) => {
        const waiter: Waiter = {
          done: false,
          start: () => run(handler, req, res).then(resolve, reject),
          refuse: () => {
            refuse(req, res);
            resolve(undefined);
          },
          timer: setTimeout(() => {
            if (waiter.done) return;
            waiter.done = true;
            queue.splice(queue.indexOf(waiter), 1);
            stats.expired++;
            waiter.refuse();
          }, limit),
        };
        waiter.timer.unref();
        queue.push(waiter);
        res.once('close', () => {
          if (waiter.done) return;
          waiter.done = true;
          clearTimeout(waiter.timer);
          queue.splice(queue.indexOf(waiter), 1);
          stats.abandoned++;
          resolve(undefined);
        });
      });
    };
  };
  return Object.assign(gate, { state: () => ({ running, waiting: writes.length + reads.length, renderMs }), stats });
}
