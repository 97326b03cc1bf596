// Admission control for renders (issue 22): a bounded number in flight, a short queue, and a 503 at
// once for the excess; writes before page views; nobody waits past the limit.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAdmission, type AdmissionOptions } from '../../src/server/admission.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** A request and a response good enough for the gate: it only reads method/url and listens for 'close'. */
function exchange(method: string, url: string) {
  const res = new EventEmitter() as EventEmitter & { answer?: string };
  return { req: { method, url } as IncomingMessage, res: res as unknown as ServerResponse & { answer?: string }, raw: res };
}

/** One turn of the event loop: renders start from setImmediate, after every request that arrived was seen. */
const turn = () => new Promise((r) => setImmediate(() => setImmediate(r)));

/** A gate around a handler whose renders finish only when the test says so. */
function setup(opts: Partial<AdmissionOptions> = {}) {
  const pending: { url: string; finish: () => void }[] = [];
  const rendered: string[] = [];
  const refused: string[] = [];
  const admission = createAdmission({
    concurrency: 2,
    maxWaitMs: 300,
    maxWriteWaitMs: 2000,
    maxQueue: 100,
    initialRenderMs: 100,
    refuse: (req) => refused.push(`${req.method} ${req.url}`),
    ...opts,
  });
  const handler = admission((req) => {
    rendered.push(`${req.method} ${req.url}`);
    return new Promise<void>((resolve) => pending.push({ url: req.url!, finish: resolve }));
  });
  const send = (method: string, url: string) => {
    const x = exchange(method, url);
    const done = handler(x.req, x.res);
    return { ...x, done };
  };
  const finishFirst = async () => {
    pending.shift()!.finish();
    await turn();
  };
  return { admission, send, rendered, refused, finishFirst };
}

describe('admission control', () => {
  test('sees every request that arrived before any renders, queues what can start in time, refuses the excess on arrival', async () => {
    const g = setup();
    // 2 take the free slots; the estimate is 50 ms per place in the queue (100 ms over 2 slots), so
    // the next 4 start within 300 ms.
    for (let i = 0; i < 10; i++) g.send('GET', `/p${i}`);
    // Refused synchronously, while the request is still in this call: no waiting in a socket.
    expect(g.refused).toEqual(['GET /p6', 'GET /p7', 'GET /p8', 'GET /p9']);
    expect(g.rendered).toEqual([]);
    await turn();
    expect(g.rendered).toEqual(['GET /p0', 'GET /p1']);
    expect(g.admission.state()).toMatchObject({ running: 2, waiting: 4 });
    expect(g.admission.stats).toMatchObject({ started: 2, queued: 6, refused: 4 });
  });

  test('queued renders start in order as slots free, form posts before page views', async () => {
    const g = setup();
    g.send('GET', '/a');
    g.send('GET', '/b');
    await turn();
    g.send('GET', '/c');
    g.send('POST', '/events/1');
    g.send('GET', '/d');
    await turn();
    expect(g.rendered).toEqual(['GET /a', 'GET /b']);
    await g.finishFirst();
    expect(g.rendered).toEqual(['GET /a', 'GET /b', 'POST /events/1']);
    await g.finishFirst();
    await g.finishFirst();
    expect(g.rendered).toEqual(['GET /a', 'GET /b', 'POST /events/1', 'GET /c', 'GET /d']);
    expect(g.refused).toEqual([]);
  });

  test('a form post may wait longer than a page view: a storm of sign-ups is queued, not refused', () => {
    const g = setup();
    for (let i = 0; i < 40; i++) g.send('POST', `/events/1?i=${i}`);
    expect(g.refused).toEqual([]);
    // Page views behind 40 waiting posts would not start within 300 ms.
    g.send('GET', '/honors');
    expect(g.refused).toEqual(['GET /honors']);
  });

  test('a sign-up storm larger than the estimate allows is queued, not refused: posts wait for their deadline', async () => {
    const g = setup({ maxQueue: 2000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // 1,000 posts at 50 ms per place would need 50 s, far past the 2 s a post may wait: all are
    // queued all the same (a front sees the whole storm at once; most finish in time).
    for (let i = 0; i < 1000; i++) g.send('POST', `/events/1?i=${i}`);
    expect(g.refused).toEqual([]);
    await turn();
    expect(g.rendered).toHaveLength(2);
    // Those still waiting at their deadline get the busy answer then.
    vi.advanceTimersByTime(2000);
    expect(g.refused).toHaveLength(998);
  });

  test('a request still waiting when its time is up gets the busy answer then', async () => {
    const g = setup();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    for (let i = 0; i < 4; i++) g.send('GET', `/p${i}`);
    await turn();
    expect(g.rendered).toEqual(['GET /p0', 'GET /p1']);
    vi.advanceTimersByTime(299);
    expect(g.refused).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(g.refused).toEqual(['GET /p2', 'GET /p3']);
    expect(g.admission.stats.expired).toBe(2);
    expect(g.admission.state().waiting).toBe(0);
  });

  test('a request whose deadline passed while renders held the loop is refused, not started', async () => {
    let clock = 0;
    const g = setup({ now: () => clock });
    g.send('GET', '/a');
    g.send('GET', '/b');
    g.send('GET', '/late');
    await turn();
    clock = 1000; // the two renders ran synchronously for a second: the timer had no chance to fire
    await g.finishFirst();
    expect(g.rendered).toEqual(['GET /a', 'GET /b']);
    expect(g.refused).toEqual(['GET /late']);
  });

  test('a client that leaves the queue is forgotten and never rendered', async () => {
    const g = setup();
    g.send('GET', '/a');
    g.send('GET', '/b');
    const gone = g.send('GET', '/gone');
    g.send('GET', '/c');
    gone.raw.emit('close');
    await gone.done;
    await turn();
    await g.finishFirst();
    expect(g.rendered).toEqual(['GET /a', 'GET /b', 'GET /c']);
    expect(g.admission.stats.abandoned).toBe(1);
  });

  test('the estimate follows the measured gap between finished renders', async () => {
    let clock = 0;
    const g = setup({ now: () => clock });
    // At the first estimate (50 ms a place), 6 page views would fit in 300 ms.
    for (let i = 0; i < 6; i++) g.send('POST', `/form${i}`);
    await turn();
    // Renders finish 200 ms apart: the estimate grows towards 200 ms a place.
    for (let i = 0; i < 6; i++) {
      clock += 200;
      await g.finishFirst();
    }
    expect(g.admission.state().serviceMs).toBeGreaterThan(100);
    for (let i = 0; i < 3; i++) g.send('GET', `/p${i}`);
    expect(g.refused).toEqual(['GET /p2']);
  });

  test('one very slow render does not lock everyone out: a free slot is always taken', async () => {
    let clock = 0;
    const g = setup({ now: () => clock });
    g.send('GET', '/slow');
    await turn();
    clock += 60_000; // a cold start or a stalled query
    await g.finishFirst();
    // Idle again: the next visitor is served, whatever the estimate says.
    g.send('GET', '/next');
    await turn();
    expect(g.rendered).toEqual(['GET /slow', 'GET /next']);
    expect(g.refused).toEqual([]);
    // And one sample moved the estimate by little (it counts as at most four times the average).
    expect(g.admission.state().serviceMs).toBeLessThan(100);
  });

  test('a refusal is held briefly (a flood client retries at once), and dropped if the client left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const g = setup({ maxQueue: 1, refuseDelayMs: 50 });
    for (let i = 0; i < 3; i++) g.send('GET', `/p${i}`);
    const gone = g.send('GET', '/gone');
    (gone.raw as unknown as { destroyed: boolean }).destroyed = true;
    expect(g.refused).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(g.refused).toEqual(['GET /p2']);
  });

  test('while cache hits are answered, the next renders wait as long as the last ones took', async () => {
    let fast = 0;
    const g = setup({ fastAnswers: () => fast });
    for (let i = 0; i < 4; i++) g.send('GET', `/p${i}`);
    await turn();
    expect(g.rendered).toHaveLength(2);
    fast = 5; // hits came in meanwhile
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await g.finishFirst();
    expect(g.rendered).toHaveLength(2); // not on the next turn: after a pause for the hits
    vi.advanceTimersByTime(20);
    expect(g.rendered).toHaveLength(3);
  });

  test('while hits keep arriving the pause grows to three renders; when they stop the next render starts', async () => {
    let fast = 0;
    let t = 0;
    const g = setup({ fastAnswers: () => fast, now: () => t });
    for (let i = 0; i < 6; i++) g.send('GET', `/p${i}`);
    await turn();
    expect(g.rendered).toHaveLength(2);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // A render of 10 ms with hits answered meanwhile: a pause of 10 ms, then more while hits go on.
    t = 10;
    fast = 5;
    await g.finishFirst();
    for (const step of [10, 10]) {
      fast++; // hits during this step
      vi.advanceTimersByTime(step);
      expect(g.rendered).toHaveLength(2);
    }
    fast++;
    vi.advanceTimersByTime(10); // three renders' time: the cap, whatever the hits
    expect(g.rendered).toHaveLength(3);
    // Hits that stop: one render's pause, then the next render.
    t = 20;
    fast++;
    await g.finishFirst();
    vi.advanceTimersByTime(10); // no hit during this pause
    expect(g.rendered).toHaveLength(4);
  });

  test('/healthz never waits, and concurrency 0 turns the gate off', () => {
    const g = setup({ maxQueue: 1 });
    for (let i = 0; i < 5; i++) g.send('GET', `/p${i}`);
    g.send('GET', '/healthz');
    expect(g.rendered).toContain('GET /healthz');
    const off = setup({ concurrency: 0 });
    for (let i = 0; i < 50; i++) off.send('GET', `/p${i}`);
    expect(off.rendered).toHaveLength(50);
    expect(off.refused).toEqual([]);
  });
});
