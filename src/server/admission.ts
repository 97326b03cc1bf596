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
  /**
   * How many requests were answered outside the gate so far (cache hits, static files). While that
   * count moves, the loop turn after renders is left to them for as long as the renders took:
   * renders get at most half the time, and cached pages keep answering under a flood.
   */
  fastAnswers?: () => number;
  /**
   * Held this long before the busy answer goes out. A flood client sends its next request the
   * moment it has an answer; without a pause its refusals alone would crowd out the cache hits.
   */
  refuseDelayMs?: number;
  /** A render's expected duration before any has been measured (divided among the slots). */
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
  state(): { running: number; waiting: number; serviceMs: number };
  stats: AdmissionStats;
}

interface Waiter {
  start: () => void;
  refuse: () => void;
  timer: NodeJS.Timeout;
  deadline: number;
  done: boolean;
}

/** While hits keep arriving, a render is followed by up to this many times its duration without renders. */
const HIT_TURNS = 3;

const isWrite = (req: IncomingMessage) => req.method !== 'GET' && req.method !== 'HEAD';

/** Creates the gate. Paths that must always answer (`/healthz`) pass without waiting. */
export function createAdmission(opts: AdmissionOptions): Admission {
  const { concurrency, maxWaitMs, maxWriteWaitMs, maxQueue, fastAnswers, refuseDelayMs = 0 } = opts;
  const refuse = (req: IncomingMessage, res: ServerResponse) => {
    if (refuseDelayMs <= 0) return opts.refuse(req, res);
    setTimeout(() => {
      if (!res.destroyed) opts.refuse(req, res);
    }, refuseDelayMs).unref();
  };
  const now = opts.now ?? (() => performance.now());
  const stats: AdmissionStats = { started: 0, queued: 0, refused: 0, expired: 0, abandoned: 0 };
  let running = 0;
  // Writes are someone's action and go first; page views wait behind them (or run out of time).
  const writes: Waiter[] = [];
  const reads: Waiter[] = [];
  // Moving average of the time between two finished renders while others wait: on a local database
  // a render runs mostly synchronously (one at a time, whatever the concurrency), on a remote one
  // several overlap; the gap between completions measures what either does.
  let serviceMs = (opts.initialRenderMs ?? 10) / concurrency;
  let lastDone = -Infinity;
  let backlogAtLastDone = false;
  let pumpScheduled = false;
  let pumpedAt = 0;
  let fastSeen = 0;
  let sharing = false;

  /** Expected wait for a request with `ahead` requests queued before it. */
  const expectedWait = (ahead: number) => (ahead + 1) * serviceMs;

  // Renders start from setImmediate, never inside the request callback: Node reads every request
  // that arrived (the poll phase) before any of them renders, so each one sees the queue in front of
  // it. Started inline, a synchronous render finished before the next request was even parsed, the
  // gate never saw a queue, and hundreds waited unseen in their sockets (issue 22).
  function schedulePump() {
    if (pumpScheduled) return;
    pumpScheduled = true;
    const fast = fastAnswers?.() ?? 0;
    if (fast === fastSeen) {
      sharing = false;
      setImmediate(pump);
      return;
    }
    // Cache hits or static files are being answered too: one render at a time, and after it a pause
    // as long as it took — longer, up to HIT_TURNS times, while hits keep arriving (a flood next to
    // visitors' cached pages), so a hit never waits behind more than one render and renders get at
    // most a quarter of the loop while hits need it; a trickle of hits costs one render's pause.
    fastSeen = fast;
    sharing = true;
    const renderMs = Math.min(20, Math.max(1, now() - pumpedAt));
    let left = HIT_TURNS * renderMs;
    const pause = () => {
      const step = Math.min(left, renderMs);
      left -= step;
      setTimeout(() => {
        const f = fastAnswers?.() ?? 0;
        if (f === fastSeen || left <= 0) return pump();
        fastSeen = f;
        pause();
      }, step).unref();
    };
    pause();
  }

  function pump() {
    pumpScheduled = false;
    const t = now();
    pumpedAt = t;
    let starts = sharing ? 1 : concurrency;
    while (running < concurrency && starts > 0) {
      const next = writes.shift() ?? reads.shift();
      if (!next) return;
      clearTimeout(next.timer);
      next.done = true;
      if (t > next.deadline) {
        stats.expired++;
        next.refuse();
      } else {
        starts--;
        next.start();
      }
    }
  }

  async function run(handler: NodeHandler, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    running++;
    stats.started++;
    const t0 = now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running--;
      const t = now();
      // With a backlog, the gap since the last completion is the service time (pauses for cache hits
      // included); after an idle spell, this render's own duration. One stalled render (a cold start,
      // a slow query, a garbage collection) counts as at most four times the average: a real slowdown
      // still shows within a few renders, one pause no longer refuses a quiet queue.
      const gap = backlogAtLastDone ? t - lastDone : t - t0;
      serviceMs = serviceMs * 0.9 + Math.max(0.05, Math.min(gap, 4 * serviceMs + 1, maxWaitMs)) * 0.1;
      lastDone = t;
      backlogAtLastDone = writes.length + reads.length > 0;
      // The next renders start on the next turn of the loop, after the requests (and cache hits)
      // that arrived meanwhile have been read and answered.
      if (writes.length || reads.length) schedulePump();
    };
    // Whichever comes first: the handler settles, or the client is gone.
    res.once('close', release);
    try {
      return await handler(req, res);
    } finally {
      release();
    }
  }

  const gate = (handler: NodeHandler): NodeHandler => {
    if (concurrency <= 0) return handler;
    return (req, res) => {
      if (req.url === '/healthz') return handler(req, res);
      const write = isWrite(req);
      const waiting = writes.length + reads.length;
      const ahead = write ? writes.length : waiting;
      const limit = write ? maxWriteWaitMs : maxWaitMs;
      // A free slot is always taken, whatever the estimate: the estimate only moves when renders
      // finish, and refusing everything would keep it wherever one slow render left it. A form post
      // is never refused by the estimate, only by a full queue or at its deadline: behind a front
      // that sees a whole sign-up storm at once, 1,000 posts times one render's gap exceeded any
      // wait and two thirds of the storm got 503 (docs/decisions/110).
      if (running + waiting >= concurrency && (waiting >= maxQueue || (!write && expectedWait(ahead) > limit))) {
        stats.refused++;
        refuse(req, res);
        return;
      }
      stats.queued++;
      const queue = write ? writes : reads;
      return new Promise<unknown>((resolve, reject) => {
        const waiter: Waiter = {
          done: false,
          deadline: now() + limit,
          start: () => run(handler, req, res).then(resolve, reject),
          refuse: () => {
            refuse(req, res);
            resolve(undefined);
          },
          // A render that overlaps others (a remote database) can hold a slot for long: whoever is
          // still waiting at its deadline gets the busy answer then.
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
        schedulePump();
      });
    };
  };
  return Object.assign(gate, { state: () => ({ running, waiting: writes.length + reads.length, serviceMs }), stats });
}
