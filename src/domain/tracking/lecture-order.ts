// 点单式普法 orders (PF<yyyymmdd><4>): from the order to the lecture and its rating.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { formatDateTime } from '../../lib/time.ts';
import { LECTURE_STATUS } from '../legal/lectures.ts';
import type { TimelineEntry, TrackKind, Tracked } from './index.ts';

const NEXT: Record<string, { next: string; finished: boolean }> = {
  new: { next: '县普法办将在 3 个工作日内与您联系，确认主题、时间和地点。', finished: false },
  accepted: { next: '正在安排主讲人和时间，排定后会在这里显示讲座时间。', finished: false },
  scheduled: { next: '请按讲座时间组织听众到场；讲座结束后，可通过预约时获得的专属链接评价。', finished: false },
  delivered: { next: '讲座已开讲。欢迎通过预约时获得的专属链接评价本次讲座。', finished: false },
  rated: { next: '办理完毕，感谢您的评价！', finished: true },
  declined: { next: '办理完毕。如需换个时间或主题，欢迎重新预约。', finished: true },
};

export const lectureOrderKind: TrackKind = {
  matches: (n) => /^PF\d{8}[A-Z0-9]{4}$/.test(n),
  async find(db: Db, number: string, digits: string): Promise<Tracked | null> {
    const [o] = await db.all<{
      id: number;
      tracking_no: string;
      topic: string;
      status: string;
      created_at: number;
      decline_reason: string | null;
      delivered_at: number | null;
      rated_at: number | null;
      event_id: number | null;
      starts_at: number | null;
    }>(
      sql`SELECT o.id, o.tracking_no, o.topic, o.status, o.created_at, o.decline_reason, o.delivered_at, o.rated_at, o.event_id, e.starts_at
        FROM lecture_orders o LEFT JOIN events e ON e.id = o.event_id
        WHERE o.tracking_no = ${number} AND substr(o.requester_phone, -4) = ${digits}`,
    );
    if (!o) return null;
    // Acceptance, refusal and scheduling carry no date of their own on the order: their audit rows do.
    const steps = await db.all<{ action: string; at: number }>(sql`SELECT action, at FROM audit_log
      WHERE target_type = 'lecture_order' AND target_id = ${String(o.id)} AND action IN ('lecture.accept', 'lecture.decline', 'lecture.schedule') ORDER BY at, id`);
    const timeline: TimelineEntry[] = [{ at: o.created_at, text: `提交预约（${o.topic}）` }];
    for (const s of steps) {
      if (s.action === 'lecture.accept') timeline.push({ at: s.at, text: '县普法办已受理' });
      if (s.action === 'lecture.decline') timeline.push({ at: s.at, text: `未能安排${o.decline_reason ? `：${o.decline_reason}` : ''}` });
      if (s.action === 'lecture.schedule' && o.starts_at) timeline.push({ at: s.at, text: `已排期：讲座时间 ${formatDateTime(o.starts_at)}`, href: o.event_id ? `/events/${o.event_id}` : undefined });
    }
    if (o.delivered_at) timeline.push({ at: o.delivered_at, text: '讲座已开讲' });
    if (o.rated_at) timeline.push({ at: o.rated_at, text: '已评价' });
    const n = NEXT[o.status] ?? { next: '', finished: false };
    return { kind: '普法讲座预约', number: o.tracking_no, subject: `讲座主题：${o.topic}`, status: LECTURE_STATUS[o.status] ?? o.status, timeline, ...n };
  },
};
