// A volunteer's private calendar feed of confirmed events (secret token, revocable from /me/events).
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { calendarFeed } from '../../domain/events/mine.ts';
import { regionNames, regionLabel } from '../../domain/regions/index.ts';
import { renderCalendar } from '../../domain/events/ics.ts';
import { config } from '../../lib/config.ts';

export const GET: APIRoute = async ({ params }) => {
  const db = await appDb();
  const feed = await calendarFeed(db, params.token ?? '');
  if (!feed) return new Response('日历订阅地址无效或已停用', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const names = await regionNames(
    db,
    feed.events.flatMap((e) => [e.townId, e.villageId]),
  );
  const site = config().siteUrl;
  const body = renderCalendar(
    feed.events.map((e) => ({
      id: e.id,
      title: e.title,
      description: `${site}/events/${e.id}`,
      location: [regionLabel(names, e.townId, e.villageId), e.address].filter(Boolean).join(' · '),
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      status: e.status,
      updatedAt: e.updatedAt,
      url: `${site}/events/${e.id}`,
    })),
    { host: new URL(site).hostname, name: '我的志愿活动' },
  );
  return new Response(body, { headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex' } });
};
