// Instants are stored as UTC epoch ms and shown in Asia/Shanghai (UTC+8, no DST).
const TZ_OFFSET_MS = 8 * 3600_000;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 2026年11月22日 (Shanghai; the same text as Intl's zh-CN long date, without ICU on every call). */
export function formatDate(ms: number): string {
  const d = new Date(ms + TZ_OFFSET_MS);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** 2026/11/22 09:30 (Shanghai). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms + TZ_OFFSET_MS);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/** 09:30 in Shanghai time. */
export function formatTime(ms: number): string {
  const d = new Date(ms + TZ_OFFSET_MS);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** The Shanghai calendar day of an instant, as YYYY-MM-DD. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + TZ_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of a Shanghai wall-clock time: ("2026-11-22", "09:30") → epoch ms. */
export function fromShanghai(day: string, time = '00:00'): number {
  const ms = Date.parse(`${day}T${time.length === 5 ? time + ':00' : time}Z`);
  if (Number.isNaN(ms)) throw new RangeError(`bad Shanghai time ${day} ${time}`);
  return ms - TZ_OFFSET_MS;
}

/** Value for <input type="datetime-local"> in Shanghai time. */
export function toDateTimeLocal(ms: number): string {
  return new Date(ms + TZ_OFFSET_MS).toISOString().slice(0, 16);
}

/** Parses an <input type="datetime-local"> value as Shanghai time; NaN when invalid. */
export function parseDateTimeLocal(value: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  if (!m) return NaN;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  return Number.isNaN(ms) ? NaN : ms - TZ_OFFSET_MS;
}

/** Minutes → "12.5 小时". */
export function formatHours(minutes: number): string {
  const h = Math.round((minutes / 60) * 10) / 10;
  return `${h} 小时`;
}
