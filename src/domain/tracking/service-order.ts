// 四单 service orders (DD-<year>-<6>, issue 20): the order's own dated steps, and whether it can be rated now.
// 普法讲座 orders are service orders too (docs/decisions/101); those placed before 0023 keep their PF<yyyymmdd><4> numbers.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { ORDER_STATUS } from '../orders/index.ts';
import type { TrackKind, Tracked } from './index.ts';

const NEXT: Record<string, { next: string; finished: boolean }> = {
  new: { next: '乡镇新时代文明实践所一般在 24 小时内受理；如需补充情况，工作人员会电话联系您。', finished: false },
  accepted: { next: '正在为您安排志愿服务队伍，派单后会在这里显示承接队伍。', finished: false },
  open: { next: '已发布给附近的志愿服务队伍，队伍接单后会与您联系。', finished: false },
  assigned: { next: '承接队伍会与您联系上门或约定时间；服务完成后可以在这里评价。', finished: false },
  done: { next: '服务已完成，请在下方为本次服务打分。', finished: false },
  rated: { next: '办理完毕，感谢您的评价！', finished: true },
  rejected: { next: '办理完毕。如有其他需要，欢迎重新点单。', finished: true },
};

/** What comes next for a 普法讲座 order, where it differs from other orders. */
const LECTURE_NEXT: Record<string, { next: string; finished: boolean }> = {
  new: { next: '县普法办将在 3 天内与您联系，确认主题、时间和地点。', finished: false },
  accepted: { next: '正在安排主讲人和时间，排定后会在这里显示讲座时间。', finished: false },
  assigned: { next: '请按讲座时间组织听众到场；讲座结束后可以在这里评价。', finished: false },
  done: { next: '讲座已开讲，请在下方为本次讲座打分。', finished: false },
  rejected: { next: '办理完毕。如需换个时间或主题，欢迎重新预约。', finished: true },
};

export const serviceOrderKind: TrackKind = {
  matches: (n) => /^DD-\d{4}-[A-Z0-9]{6}$/.test(n) || /^PF\d{8}[A-Z0-9]{3,4}$/.test(n),
  async find(db: Db, number: string, digits: string): Promise<Tracked | null> {
    const [o] = await db.all<{ id: number; tracking_no: string; status: string; item: string; category: string; topic: string | null }>(
      sql`SELECT o.id, o.tracking_no, o.status, i.name AS item, i.category, json_extract(o.lecture, '$.topic') AS topic FROM service_orders o JOIN service_items i ON i.id = o.item_id
        WHERE o.tracking_no = ${number} AND substr(o.requester_phone, -4) = ${digits}`,
    );
    if (!o) return null;
    const steps = await db.all<{ at: number; text: string }>(sql`SELECT at, text FROM service_order_steps WHERE order_id = ${o.id} ORDER BY at, id`);
    const lecture = o.topic != null;
    const n = (lecture ? LECTURE_NEXT[o.status] : undefined) ?? NEXT[o.status] ?? { next: '', finished: false };
    return {
      kind: lecture ? '普法讲座预约' : '志愿服务点单',
      number: o.tracking_no,
      subject: lecture ? `讲座主题：${o.topic}` : `服务项目：${o.category} · ${o.item}`,
      status: ORDER_STATUS[o.status] ?? o.status,
      timeline: steps.map((s) => ({ at: Number(s.at), text: s.text })),
      ...n,
      rateable: o.status === 'done',
    };
  },
};
