// Early refusals before Astro sees a request: overload (event-loop lag → 503 with Retry-After), an
// undecodable URL (400), an overlong URL (414), oversized bodies (413), each a short Chinese page
// (docs/decisions/071); and the same kind of page for what Node's parser refuses itself (clientAnswer).
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

/** URLs longer than this (bytes, as sent: percent-encoded) get 414; a 40-character search is ~400. */
export const MAX_URL_BYTES = 8 * 1024;

const CHINESE_HTML = (title: string, text: string, large = false) =>
  `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><body style="font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.7${large ? ';font-size:1.25rem' : ''}"><h1>${title}</h1><p>${text}</p><p><a href="/">返回首页</a></p></body></html>`;

/**
 * The busy page: 503 with Retry-After, in Chinese, with the portal's security headers. Sent by the
 * lag guard and by admission control (src/server/admission.ts); a request body not read yet is
 * left unread and the connection closed after the answer.
 */
export function answerBusy(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, retryAfterS: number): void {
  const unread = req.method !== 'GET' && req.method !== 'HEAD' && !req.readableEnded;
  res.writeHead(503, {
    ...headers,
    'Content-Type': 'text/html; charset=utf-8',
    'Retry-After': String(retryAfterS),
    'Cache-Control': 'no-store',
    ...(unread ? { Connection: 'close' } : {}),
  });
  // Visitors who chose 大字 (the sx_large cookie) are the likeliest to meet this page on a phone.
  res.end(LARGE_COOKIE.test(req.headers.cookie ?? '') ? BUSY_PAGE_LARGE : BUSY_PAGE);
}

const BUSY_TEXT = '当前访问人数较多，请稍候几秒再试。您的操作尚未提交，不会重复记录。';
/** Built once: under a flood this page is the most frequent answer after cache hits. */
const BUSY_PAGE = Buffer.from(CHINESE_HTML('系统繁忙', BUSY_TEXT));
const BUSY_PAGE_LARGE = Buffer.from(CHINESE_HTML('系统繁忙', BUSY_TEXT, true));
const LARGE_COOKIE = /(?:^|;\s*)sx_large=1(?:;|$)/;

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
  /** Count chunked bodies against maxBodyBytes here (off in a front that streams them on to a worker). */
  watchStreamedBodies?: boolean;
}

/** Creates the guard (its lag timer is unref'd; stop() clears it). */
export function createRequestGuard({
  lagThresholdMs = 3000,
  maxBodyBytes = 12 * 1024 * 1024,
  sampleMs = 100,
  holdMs = 1000,
  headers = {},
  watchStreamedBodies = true,
}: RequestGuardOptions = {}): RequestGuard {
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
      answerBusy(req, res, headers, 5);
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
    if ((req.url ?? '').length > MAX_URL_BYTES) {
      // Node's parser used to refuse such a request itself, with an empty 431 (issue 18, item 6).
      res.writeHead(414, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(CHINESE_HTML('网址过长', '您访问的网址太长，常见于搜索词过长。搜索词请不超过 40 个字，删减后再试。'));
      return true;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      res.writeHead(413, { ...headers, 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
      res.end(CHINESE_HTML('提交内容过大', `提交的内容超过 ${Math.round(maxBodyBytes / 1024 / 1024)} MB 上限，请压缩或拆分后再试。`));
      req.resume();
      return true;
    }
    if (watchStreamedBodies && req.headers['transfer-encoding'] && req.method !== 'GET' && req.method !== 'HEAD') {
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

/** Chinese words for the requests Node's parser refuses before any handler runs. */
const CLIENT_ERRORS: Record<number, [string, string]> = {
  400: ['请求有误', '您的浏览器发送的请求格式不正确，请刷新页面后重试。'],
  408: ['请求超时', '请求在规定时间内没有发送完整，请检查网络后重试。'],
  431: ['请求过长', '网址或 Cookie 太长，常见于搜索词过长。请删减搜索词，或清除本站 Cookie 后重试。'],
};

/**
 * A complete raw HTTP answer for a request Node's parser refused (server 'clientError'): without
 * one, the visitor saw an empty page — "HTTP 431" for a 3,000-character search (issue 18, item 6).
 */
export function clientAnswer(code: string | undefined, headers: Record<string, string> = {}): string {
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const [title, text] = CLIENT_ERRORS[status];
  const body = Buffer.from(CHINESE_HTML(title, text));
  const lines = Object.entries({ ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length), 'Cache-Control': 'no-store', Connection: 'close' }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${body.toString('utf8')}`;
}
