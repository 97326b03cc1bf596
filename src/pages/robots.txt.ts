// robots.txt for crawlers: where the sitemap is and which prefixes are private (issue 19, item 6).
import type { APIRoute } from 'astro';
import { config } from '../lib/config.ts';
import { robotsTxt } from '../domain/articles/feeds.ts';

export const GET: APIRoute = () => new Response(robotsTxt(config().siteUrl), { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'public, max-age=3600' } });
