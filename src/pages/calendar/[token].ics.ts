// A volunteer's private calendar feed of the events they hold a seat for (secret token, revocable from /me/events).
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { privateCalendarIcs } from '../../domain/events/mine.ts';
import { config } from '../../lib/config.ts';

export const GET: APIRoute = async ({ params }) => {
  const body = await privateCalendarIcs(await appDb(), params.token ?? '', config().siteUrl);
  if (body === undefined) return new Response('日历订阅地址无效或已停用', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(body, { headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex' } });
};
