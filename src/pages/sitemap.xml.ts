// sitemap.xml for search engines.
import type { APIRoute } from 'astro';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { sitemap } from '../domain/articles/feeds.ts';

export const GET: APIRoute = async () => {
  const xml = await sitemap(await appDb(), config().siteUrl);
  return new Response(xml, { headers: { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=3600' } });
};
