// RSS 2.0 of one channel: /rss/news.xml, /rss/typical.xml, /rss/legal.xml, /rss/notice.xml.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { config } from '../../lib/config.ts';
import { getSetting } from '../../domain/settings/index.ts';
import { CHANNELS } from '../../domain/articles/public.ts';
import { rssFeed } from '../../domain/articles/feeds.ts';

export const GET: APIRoute = async ({ params }) => {
  const channel = params.channel ?? '';
  if (!Object.hasOwn(CHANNELS, channel)) return new Response('栏目不存在', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const db = await appDb();
  const xml = await rssFeed(db, { url: config().siteUrl, name: await getSetting(db, 'siteName') }, channel);
  return new Response(xml, { headers: { 'Content-Type': 'application/rss+xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' } });
};
