// RSS 2.0 of the latest published articles.
import type { APIRoute } from 'astro';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { getSetting } from '../domain/settings/index.ts';
import { rssFeed } from '../domain/articles/feeds.ts';

export const GET: APIRoute = async () => {
  const db = await appDb();
  const xml = await rssFeed(db, { url: config().siteUrl, name: await getSetting(db, 'siteName') });
  return new Response(xml, { headers: { 'Content-Type': 'application/rss+xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' } });
};
