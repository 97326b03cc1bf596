// 四单 service orders (DD-<year>-<6>, issue 20): the order's own dated steps, and whether it can be rated now.
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

export const serviceOrderKind: TrackKind = {
  matches: (n) => /^DD-\d{4}-[A-Z0-9]{6}$/.test(n),
  async find(db: Db, number: string, digits: string): Promise<Tracked | null> {
    const [o] = await db.all<{ id: number; tracking_no: string; status: string; item: string; category: string }>(
      sql`SELECT o.id, o.tracking_no, o.status, i.name AS item, i.category FROM service_orders o JOIN service_items i ON i.id = o.item_id
        WHERE o.tracking_no = ${number} AND substr(o.requester_phone, -4) = ${digits}`,
    );
    if (!o) return null;
    const steps = await db.all<{ at: number; text: string }>(sql`SELECT at, text FROM service_order_steps WHERE order_id = ${o.id} ORDER BY at, id`);
    const n = NEXT[o.status] ?? { next: '', finished: false };
    return {
      kind: '志愿服务点单',
      number: o.tracking_no,
      subject: `服务项目：${o.category} · ${o.item}`,
      status: ORDER_STATUS[o.status] ?? o.status,
      timeline: steps.map((s) => ({ at: Number(s.at), text: s.text })),
      ...n,
      rateable: o.status === 'done',
    };
  },
};
