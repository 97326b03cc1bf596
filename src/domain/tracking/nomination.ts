// 好人推荐 (TJ-<year>-<6>): from the nomination to 公示 and publication on the 好人榜.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { maskName } from '../../lib/pii.ts';
import type { TimelineEntry, TrackKind, Tracked } from './index.ts';

const STATUS: Record<string, string> = { new: '待核实', verified: '已核实', merged: '已合并办理', accepted: '已列为候选人', declined: '未采纳' };

interface Row {
  tracking_no: string;
  nominee_name: string;
  category: string;
  status: string;
  created_at: number;
  handled_at: number | null;
  decline_reason: string | null;
  h_status: string | null;
  h_slug: string | null;
  h_published_at: number | null;
  h_withdrawn_at: number | null;
  b_status: string | null;
  b_title: string | null;
  publicity_starts_at: number | null;
  publicity_ends_at: number | null;
}

export const nominationKind: TrackKind = {
  matches: (n) => /^TJ-\d{4}-[A-Z0-9]{6}$/.test(n),
  async find(db: Db, number: string, digits: string): Promise<Tracked | null> {
    // The nominator's phone is compared inside SQL and never read out (docs/architecture.md "Personal data").
    const [r] = await db.all<Row>(sql`SELECT n.tracking_no, n.nominee_name, n.category, n.status, n.created_at, n.handled_at, n.decline_reason,
        h.status AS h_status, h.slug AS h_slug, h.published_at AS h_published_at, h.withdrawn_at AS h_withdrawn_at,
        b.status AS b_status, b.title AS b_title, b.publicity_starts_at, b.publicity_ends_at
      FROM nominations n LEFT JOIN honorees h ON h.id = n.honoree_id LEFT JOIN honor_batches b ON b.id = h.batch_id
      WHERE n.tracking_no = ${number} AND substr(n.nominator_phone, -4) = ${digits}`);
    if (!r) return null;
    const timeline: TimelineEntry[] = [{ at: r.created_at, text: `提交推荐（${r.category}）` }];
    const handled = r.handled_at ?? r.created_at;
    if (r.status === 'verified') timeline.push({ at: handled, text: '工作人员已核实推荐材料' });
    if (r.status === 'merged') timeline.push({ at: handled, text: '同一人选已有其他推荐，合并办理' });
    if (r.status === 'declined') timeline.push({ at: handled, text: `推荐未被采纳${r.decline_reason ? `：${r.decline_reason}` : ''}` });
    if (r.status === 'accepted') timeline.push({ at: handled, text: `已列为候选人${r.b_title ? `（${r.b_title}）` : ''}` });
    if (r.status === 'accepted' && r.publicity_starts_at) timeline.push({ at: r.publicity_starts_at, text: '进入公示，群众可以点赞或提出异议', href: '/honors/candidates' });
    if (r.h_status === 'published' && r.h_published_at) timeline.push({ at: r.h_published_at, text: '正式发布在好人榜', href: r.h_slug ? `/honors/${r.h_slug}` : undefined });
    if (r.h_status === 'withdrawn' && r.h_withdrawn_at) timeline.push({ at: r.h_withdrawn_at, text: '已撤榜' });
    const { next, finished } = nextStep(r);
    return {
      kind: '好人推荐',
      number: r.tracking_no,
      subject: `被推荐人 ${maskName(r.nominee_name)} · ${r.category}`,
      status: r.h_status === 'published' ? '已发布' : (STATUS[r.status] ?? r.status),
      timeline,
      next,
      finished,
    };
  },
};

function nextStep(r: Row): { next: string; finished: boolean } {
  switch (r.status) {
    case 'new':
      return { next: '工作人员将核实推荐材料，可能会电话联系您，请保持电话畅通。', finished: false };
    case 'verified':
      return { next: '材料已核实，等待评议确定是否列为候选人。', finished: false };
    case 'merged':
      return { next: '将与同一人选的其他推荐一并评议，结果以合并后的办理为准。', finished: false };
    case 'declined':
      return { next: '办理完毕。如有新的事迹材料，欢迎再次推荐。', finished: true };
    default:
      if (r.h_status === 'published') return { next: '办理完毕，感谢您的推荐！', finished: true };
      if (r.h_status === 'withdrawn') return { next: '办理完毕。如有疑问，请致电县委宣传部。', finished: true };
      if (r.b_status === 'publicity') return { next: '公示期间群众可以点赞或提出异议；公示结束后经终审发布。', finished: false };
      if (r.b_status === 'review') return { next: '公示已结束，正在终审，审定后在好人榜发布。', finished: false };
      return { next: '正在准备公示材料，公示开始后可在“候选人公示”页面看到。', finished: false };
  }
}
