// Bodies sent from memory (cached pages, the build's static files): compressed once, answered in the
// encoding the client accepts, with an ETag per encoding and 304 for a matching If-None-Match.
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompressSync, gzipSync, constants as zc } from 'node:zlib';

/** A body ready to send: its gzip and brotli forms (null when not worth compressing) and a content hash for the ETag. */
export interface CompressedBody {
  body: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  etag: string;
}

type Encoding = 'br' | 'gzip' | 'identity';

/** `enc` listed in Accept-Encoding without q=0; compiled once (a cache hit used to compile two per request). */
const accepts = (enc: string) => new RegExp(`(^|,)\\s*${enc}\\s*(;\\s*q=(?!0(\\.0*)?\\s*(,|$))[0-9.]+)?\\s*(,|$)`);
const ACCEPTS_BR = accepts('br');
const ACCEPTS_GZIP = accepts('gzip');
/** Answers for the Accept-Encoding values seen (browsers send a handful); emptied when it grows. */
const chosen = new Map<string, Encoding>();

/** Chooses br, gzip or identity from Accept-Encoding. */
export function chooseEncoding(accept: string | string[] | undefined): Encoding {
  const raw = typeof accept === 'string' ? accept : String(accept ?? '');
  const known = chosen.get(raw);
  if (known) return known;
  const a = raw.toLowerCase();
  const enc: Encoding = ACCEPTS_BR.test(a) ? 'br' : ACCEPTS_GZIP.test(a) ? 'gzip' : 'identity';
  if (chosen.size >= 64) chosen.clear();
  chosen.set(raw, enc);
  return enc;
}

/** Whether If-None-Match names this body (in any of its encodings). */
export function etagMatches(ifNoneMatch: string | undefined, base: string): boolean {
  if (!ifNoneMatch) return false;
  return String(ifNoneMatch)
    .split(',')
    .some((t) => {
      const tag = t.trim().replace(/^W\//, '').replace(/"/g, '');
      // The base is base64url (it may itself contain '-'): strip only our encoding suffix.
      return tag === '*' || tag.replace(/-(br|gzip|id)$/, '') === base;
    });
}

/** Compresses a body once (gzip level 6, brotli quality 5) and hashes it for the ETag. */
export function compressedBody(body: Buffer, { compress = true }: { compress?: boolean } = {}): CompressedBody {
  return {
    body,
    gzip: compress ? gzipSync(body, { level: 6 }) : null,
    br: compress ? brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 5, [zc.BROTLI_PARAM_SIZE_HINT]: body.length } }) : null,
    etag: createHash('sha1').update(body).digest('base64url').slice(0, 20),
  };
}

/** The answer's headers for each encoding, built once per body: a hit then copies and checks nothing. */
export type ReadyHeaders = Record<Encoding, OutgoingHttpHeaders>;

/** Builds the headers sendReady sends for `c` in each encoding (`headers` plus ETag, Content-Encoding and Content-Length). */
export function readyHeaders(headers: OutgoingHttpHeaders, c: CompressedBody): ReadyHeaders {
  const one = (enc: Encoding): OutgoingHttpHeaders => {
    const body = (enc === 'br' ? c.br : enc === 'gzip' ? c.gzip : null) ?? c.body;
    return {
      ...headers,
      ETag: `"${c.etag}-${enc === 'identity' ? 'id' : enc}"`,
      ...(enc !== 'identity' && body !== c.body ? { 'Content-Encoding': enc } : {}),
      'Content-Length': String(body.length),
    };
  };
  return { identity: one('identity'), gzip: one('gzip'), br: one('br') };
}

/** sendCompressed with headers made by readyHeaders (the same answer, for bodies sent many times). */
export function sendReady(req: IncomingMessage, res: ServerResponse, status: number, ready: ReadyHeaders, c: CompressedBody): void {
  const enc = c.gzip ? chooseEncoding(req.headers['accept-encoding']) : 'identity';
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && etagMatches(inm, c.etag)) {
    const { 'content-type': _t, 'Content-Type': _T, 'Content-Length': _l, 'Content-Encoding': _e, ...out } = ready[enc];
    res.writeHead(304, out);
    res.end();
    return;
  }
  res.writeHead(status, ready[enc]);
  res.end(req.method === 'HEAD' ? undefined : ((enc === 'br' ? c.br : enc === 'gzip' ? c.gzip : null) ?? c.body));
}

/** Sends a compressedBody in the encoding the client accepts, with an ETag per encoding and 304 on If-None-Match. */
export function sendCompressed(req: IncomingMessage, res: ServerResponse, status: number, headers: OutgoingHttpHeaders, c: CompressedBody): void {
  const enc = c.gzip ? chooseEncoding(req.headers['accept-encoding']) : 'identity';
  const out: OutgoingHttpHeaders = { ...headers, ETag: `"${c.etag}-${enc === 'identity' ? 'id' : enc}"` };
  if (etagMatches(req.headers['if-none-match'], c.etag)) {
    delete out['content-type'];
    delete out['Content-Type'];
    res.writeHead(304, out);
    res.end();
    return;
  }
  const body = (enc === 'br' ? c.br : enc === 'gzip' ? c.gzip : null) ?? c.body;
  if (enc !== 'identity') out['Content-Encoding'] = enc;
  out['Content-Length'] = String(body.length);
  res.writeHead(status, out);
  res.end(req.method === 'HEAD' ? undefined : body);
}
