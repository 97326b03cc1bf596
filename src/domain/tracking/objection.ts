// 公示异议 (YY-<year>-<6>): an objection against a candidate, until staff have checked it.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { maskName } from '../../lib/pii.ts';
import type { TimelineEntry, TrackKind, Tracked } from './index.ts';

export const objectionKind: TrackKind = {
  matches: (n) => /^YY-\d{4}-[A-Z0-9]{6}$/.test(n),
  async find(db: Db, number: string, digits: string): Promise<Tracked | null> {
    const [o] = await db.all<{ tracking_no: string; status: string; created_at: number; resolved_at: number | null; name: string; batch: string | null }>(
      sql`SELECT o.tracking_no, o.status, o.created_at, o.resolved_at, h.name, b.title AS batch
        FROM objections o JOIN honorees h ON h.id = o.honoree_id LEFT JOIN honor_batches b ON b.id = h.batch_id
        WHERE o.tracking_no = ${number} AND o.track_pin = ${digits}`,
    );
    if (!o) return null;
    const timeline: TimelineEntry[] = [{ at: o.created_at, text: '提交异议' }];
    // The finding itself stays with staff (it may name people); the objector learns the outcome.
    if (o.status !== 'open' && o.resolved_at) timeline.push({ at: o.resolved_at, text: o.status === 'upheld' ? '核查完毕：异议成立，已按规定处理' : '核查完毕：经核实，异议不成立' });
    const open = o.status === 'open';
    return {
      kind: '公示异议',
      number: o.tracking_no,
      subject: `候选人 ${maskName(o.name)}${o.batch ? ` · ${o.batch}` : ''}`,
      status: open ? '核查中' : o.status === 'upheld' ? '异议成立' : '异议不成立',
      timeline,
      next: open ? '工作人员将在公示期内核查，核查结果会在这里显示。' : '办理完毕。如对结果有疑问，可致电县委宣传部。',
      finished: !open,
    };
  },
};
