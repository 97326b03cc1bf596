// Early refusals before Astro sees a request: overload (event-loop lag → 503 with Retry-After), an
// undecodable URL (400) and oversized bodies (413), each a short Chinese page (docs/decisions/071).
import type { IncomingMessage, ServerResponse } from 'node:http';

const CHINESE_HTML = (title: string, text: string) =>
  `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><body style="font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.7"><h1>${title}</h1><p>${text}</p><p><a href="/">返回首页</a></p></body></html>`;

/** The guard: true when it answered the request itself. */
export interface RequestGuard {
  (req: IncomingMessage, res: ServerResponse): boolean;
  state(): { lagging: boolean; lastLagMs: number };
  stop(): void;
}

export interface RequestGuardOptions {
  /** Event-loop delay over one sampling window above which new requests get 503. */
  lagThresholdMs?: number;
  /** Larger declared or streamed bodies get 413. */
  maxBodyBytes?: number;
  sampleMs?: number;
  /** How long 503s go on after one late sample. */
  holdMs?: number;
  /** Sent with every answer of the guard (the portal's security headers, src/lib/security-headers.ts). */
  headers?: Record<string, string>;
}

/** Creates the guard (its lag timer is unref'd; stop() clears it). */
export function createRequestGuard({ lagThresholdMs = 3000, maxBodyBytes = 12 * 1024 * 1024, sampleMs = 100, holdMs = 1000, headers = {} }: RequestGuardOptions = {}): RequestGuard {
  // Lag = how late our own timer fires. Timers run before I/O callbacks in a
  // loop turn, so requests that queued up behind a stall see the verdict.
  let lastTick = performance.now();
  let lastLagMs = 0;
  let lagUntil = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lastLagMs = Math.max(0, now - lastTick - sampleMs);
    lastTick = now;
    if (lastLagMs > lagThresholdMs) lagUntil = now + holdMs;
  }, sampleMs);
  timer.unref();
  const isLagging = () => performance.now() < lagUntil;

  const guard = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (isLagging() && req.url !== '/healthz') {
      res.writeHead(503, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '5', 'Cache-Control': 'no-store' });
      res.end(CHINESE_HTML('系统繁忙', '当前访问人数较多，请稍候几秒再试。您的操作尚未提交，不会重复记录。'));
      return true;
    }
    try {
      decodeURI(req.url ?? '/');
    } catch {
      // Astro's own handler would answer this in English ("Bad request.").
      res.writeHead(400, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(CHINESE_HTML('网址有误', '您访问的网址格式不正确，请检查后重试。'));
      return true;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      res.writeHead(413, { ...headers, 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
      res.end(CHINESE_HTML('提交内容过大', `提交的内容超过 ${Math.round(maxBodyBytes / 1024 / 1024)} MB 上限，请压缩或拆分后再试。`));
      req.resume();
      return true;
    }
    if (req.headers['transfer-encoding'] && req.method !== 'GET' && req.method !== 'HEAD') {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > maxBodyBytes && !res.headersSent) {
          res.writeHead(413, { ...headers, 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
          res.end(CHINESE_HTML('提交内容过大', '提交的内容超过上限，请压缩或拆分后再试。'));
          req.destroy();
        }
      });
    }
    return false;
  };
  return Object.assign(guard, {
    state: () => ({ lagging: isLagging(), lastLagMs }),
    stop: () => clearInterval(timer),
  });
}
