// A GET through node:http that leaves compression alone (fetch would decode it), for cache and header tests.
import http from 'node:http';

/** Status, headers and the raw (possibly compressed) body. */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/** A text answer of freshRequest. */
export interface FreshAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request on its own connection (no keep-alive), as a phone sends it — so with several workers
 * each may reach either. A form posts url-encoded with the server's own Origin unless `origin` says otherwise.
 */
export function freshRequest(
  server: { url: string; port: number },
  path: string,
  opts: { method?: string; cookie?: string; form?: Record<string, string>; origin?: string } = {},
): Promise<FreshAnswer> {
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: opts.method ?? (body ? 'POST' : 'GET'),
        agent: false,
        headers: {
          origin: opts.origin ?? server.url,
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
