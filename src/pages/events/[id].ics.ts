// One event as an iCalendar file.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { getPublicEvent } from '../../domain/events/public.ts';
import { regionNames } from '../../domain/regions/index.ts';
import { calendarEntry, renderCalendar } from '../../domain/events/ics.ts';
import { config } from '../../lib/config.ts';

export const GET: APIRoute = async ({ params }) => {
  const db = await appDb();
  const id = Number(params.id);
  const row = Number.isSafeInteger(id) && id > 0 ? await getPublicEvent(db, id) : undefined;
  if (!row) return new Response('活动不存在', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const e = row.event;
  const names = await regionNames(db, [e.townId, e.villageId]);
  const site = config().siteUrl;
  const description = `${row.teamName}\n${e.risks ? `风险提示：${e.risks}\n` : ''}${site}/events/${e.id}`;
  const body = renderCalendar([calendarEntry(e, names, site, description)], { host: new URL(site).hostname, name: e.title });
  return new Response(body, { headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': `attachment; filename="event-${e.id}.ics"` } });
};
