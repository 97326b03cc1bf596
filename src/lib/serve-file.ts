// One way to answer with an uploaded file (library, private or a honoree's photo), after the route
// has decided who may see it (docs/decisions/076). Refusals and unknown names look the same: 404.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ServedFile } from '../domain/media/index.ts';

/**
 * How long a shared cache may keep a public file. Short, because a file stops being public when
 * its article is withdrawn or a photo consent is revoked (never "immutable" for a year), and the
 * same horizon as the page cache's oldest entry (docs/decisions/060).
 */
export const PUBLIC_FILE_MAX_AGE = 60;

/** The 404 for every file that does not exist or is not for this viewer; not cached, so publishing later is seen. */
export function fileNotFound(): Response {
  return new Response('文件不存在', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** Sends a file: typed, sandboxed, never sniffed; public files cached briefly with an ETag, private ones never stored. */
export async function fileResponse(request: Request, f: ServedFile | undefined): Promise<Response> {
  if (!f) return fileNotFound();
  let body: Buffer;
  try {
    body = await readFile(f.path);
  } catch {
    return fileNotFound();
  }
  const headers: Record<string, string> = {
    'Content-Type': f.mime,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': f.audience === 'public' ? `public, max-age=${PUBLIC_FILE_MAX_AGE}` : 'private, no-store',
  };
  if (f.audience === 'private') headers['X-Robots-Tag'] = 'noindex';
  if (f.downloadName) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(f.downloadName)}`;
  if (f.audience === 'public') {
    // Stored names are never rewritten, so the name and size identify the bytes.
    const etag = `"${basename(f.path)}-${body.length}"`;
    headers.ETag = etag;
    if ((request.headers.get('if-none-match') ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      return new Response(null, { status: 304, headers });
    }
  }
  headers['Content-Length'] = String(body.length);
  return new Response(new Uint8Array(body), { headers });
}
