// iCalendar (RFC 5545) for events: TZID=Asia/Shanghai with its VTIMEZONE, CRLF line
// endings, lines folded at 75 octets (never inside a UTF-8 character), TEXT escaped.
import { createHash } from 'node:crypto';
import { regionLabel } from '../regions/index.ts';

export interface IcsEvent {
  id: number;
  title: string;
  description: string;
  location: string;
  startsAt: number;
  endsAt: number;
  status: string;
  /** RFC 5545 SEQUENCE: the event's revision, bumped when its time, place or status changes. */
  sequence?: number;
  updatedAt?: number | null;
  url: string;
}

/** The fields of an event row a calendar entry is made of. */
export interface CalendarSource {
  id: number;
  title: string;
  townId: number | null;
  villageId: number | null;
  address: string | null;
  startsAt: number;
  endsAt: number;
  status: string;
  revision: number;
  updatedAt: number | null;
}

/** One event as a calendar entry: the one place its location, link and SEQUENCE are put together. */
export function calendarEntry(e: CalendarSource, names: Map<number, string>, siteUrl: string, description = `${siteUrl}/events/${e.id}`): IcsEvent {
  return {
    id: e.id,
    title: e.title,
    description,
    location: [regionLabel(names, e.townId, e.villageId), e.address].filter(Boolean).join(' · '),
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    status: e.status,
    sequence: e.revision,
    updatedAt: e.updatedAt,
    url: `${siteUrl}/events/${e.id}`,
  };
}

/** Escapes a TEXT value (backslash, semicolon, comma, newline). */
export function escapeText(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds one content line into ≤ 75-octet pieces joined by CRLF + space. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with one space
    if (bytes + n > limit) {
      out.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

/** Local Shanghai date-time 20261122T093000 for an instant. */
function shanghaiStamp(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace(/[-:]/g, '').slice(0, 15);
}

function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';
}

const VTIMEZONE = ['BEGIN:VTIMEZONE', 'TZID:Asia/Shanghai', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0800', 'TZOFFSETTO:+0800', 'TZNAME:CST', 'END:STANDARD', 'END:VTIMEZONE'];

/** A VCALENDAR with the given events. `host` makes UIDs globally unique. */
export function renderCalendar(evts: IcsEvent[], opts: { host: string; name: string; now?: number }): string {
  const now = opts.now ?? Date.now();
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//shanxing//events//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
    'X-WR-TIMEZONE:Asia/Shanghai',
    ...VTIMEZONE,
  ];
  for (const e of evts) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:event-${e.id}@${opts.host}`,
      `DTSTAMP:${utcStamp(now)}`,
      `SEQUENCE:${Math.max(0, Math.trunc(e.sequence ?? 0))}`,
      `LAST-MODIFIED:${utcStamp(e.updatedAt ?? now)}`,
      `DTSTART;TZID=Asia/Shanghai:${shanghaiStamp(e.startsAt)}`,
      `DTEND;TZID=Asia/Shanghai:${shanghaiStamp(e.endsAt)}`,
      `SUMMARY:${escapeText(e.title)}`,
      `DESCRIPTION:${escapeText(e.description)}`,
      `LOCATION:${escapeText(e.location)}`,
      `URL:${e.url}`,
      `STATUS:${e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** A stable ETag for a calendar body. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}
