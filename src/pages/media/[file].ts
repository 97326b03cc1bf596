// Serves uploaded media: generated names only, long cache, nosniff, sandboxed.
import type { APIRoute } from 'astro';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appDb } from '../../lib/db.ts';
import { config } from '../../lib/config.ts';
import { describeMediaFile, imageById, imageUrls } from '../../domain/media/index.ts';

export const GET: APIRoute = async ({ params }) => {
  const file = params.file ?? '';
  const db = await appDb();
  const info = await describeMediaFile(db, file);
  const notFound = () => new Response('文件不存在', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  // /media/<id>: an image by its library id (e.g. an honoree's photo) → its display rendition.
  if (/^\d{1,10}$/.test(file)) {
    const img = await imageById(db, Number(file));
    if (!img) return notFound();
    return new Response(null, { status: 302, headers: { Location: imageUrls(img).src, 'Cache-Control': 'public, max-age=300' } });
  }
  if (!info) return notFound();
  let body: Buffer;
  try {
    body = await readFile(join(config().uploadsDir, file));
  } catch {
    return notFound();
  }
  const headers: Record<string, string> = {
    'Content-Type': info.mime,
    'Content-Length': String(body.length),
    'Cache-Control': 'public, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
  if (info.downloadName) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(info.downloadName)}`;
  return new Response(new Uint8Array(body), { headers });
};
