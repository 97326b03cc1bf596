// One event as an iCalendar file.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { getPublicEvent } from '../../domain/events/public.ts';
import { regionNames, regionLabel } from '../../domain/regions/index.ts';
import { renderCalendar } from '../../domain/events/ics.ts';
import { config } from '../../lib/config.ts';

export const GET: APIRoute = async ({ params }) => {
  const db = await appDb();
  const id = Number(params.id);
  const row = Number.isSafeInteger(id) && id > 0 ? await getPublicEvent(db, id) : undefined;
  if (!row) return new Response('活动不存在', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const e = row.event;
  const names = await regionNames(db, [e.townId, e.villageId]);
  const site = config().siteUrl;
  const body = renderCalendar(
    [
      {
        id: e.id,
        title: e.title,
        description: `${row.teamName}\n${e.risks ? `风险提示：${e.risks}\n` : ''}${site}/events/${e.id}`,
        location: [regionLabel(names, e.townId, e.villageId), e.address].filter(Boolean).join(' · '),
        startsAt: e.startsAt,
        endsAt: e.endsAt,
        status: e.status,
        sequence: e.revision,
        updatedAt: e.updatedAt,
        url: `${site}/events/${e.id}`,
      },
    ],
    { host: new URL(site).hostname, name: e.title },
  );
  return new Response(body, { headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': `attachment; filename="event-${e.id}.ics"` } });
};
