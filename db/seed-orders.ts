// Demo data for 四单 service orders (issue 20): a season of orders in every state, dated steps included,
// so the console, the team pages and /track have something real to show. Idempotent (skips when orders exist).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { writeBatch, type Statement } from './write.ts';
import { shanghaiDay } from '../src/lib/time.ts';

interface Planned {
  slug: string;
  need: string;
  name: string;
  status: 'new' | 'accepted' | 'open' | 'assigned' | 'done' | 'rated' | 'rejected';
  /** Days before now the order came in. */
  ago: number;
  source?: '网上' | '电话' | '窗口' | '上门';
  mode?: 'assign' | 'claim';
  rating?: number;
  comment?: string;
  reason?: string;
  /** 微心愿: the estimated value in 元. */
  value?: number;
  /** Assigned to another team first, then 改派 (reassigned) to this one. */
  reassigned?: boolean;
  /** Held by a team, then 退回接单大厅 (returned to the pool). */
  returned?: boolean;
}

const PLAN: Planned[] = [
  { slug: 'elder-care', need: '独居老人想请人每周来打扫一次卫生。', name: '王秀英', status: 'rated', ago: 88, mode: 'assign', rating: 5, comment: '志愿者很耐心，每次都准时。' },
  { slug: 'tutoring', need: '孩子父母在外务工，想请人辅导四年级数学作业。', name: '李国强', status: 'rated', ago: 80, mode: 'claim', rating: 5, comment: '' },
  {
    slug: 'health-check',
    need: '村里老人多，想请医生来量血压、讲讲高血压用药。',
    name: '张德明',
    status: 'rated',
    ago: 71,
    source: '电话',
    mode: 'assign',
    rating: 4,
    comment: '来的人多，排队久了一点。',
  },
  { slug: 'neighbour', need: '厨房水管漏水，家里没有年轻人会修。', name: '刘春花', status: 'rated', ago: 63, mode: 'claim', rating: 2, comment: '约好的时间晚到了半天。' },
  { slug: 'legal-aid', need: '和邻居因为宅基地界线有纠纷，想咨询怎么处理。', name: '陈立新', status: 'rated', ago: 55, source: '窗口', mode: 'assign', rating: 5, comment: '讲得很清楚。' },
  { slug: 'culture-show', need: '重阳节想请文艺队来村里演几个节目。', name: '杨佳怡', status: 'rated', ago: 47, mode: 'claim', rating: 4, comment: '' },
  { slug: 'clean-up', need: '河边垃圾堆了很多，想组织一次清理。', name: '黄永红', status: 'done', ago: 30, mode: 'claim' },
  { slug: 'science', need: '想请人给村民讲讲防范电信诈骗。', name: '赵俊杰', status: 'done', ago: 21, source: '上门', mode: 'assign' },
  { slug: 'elder-care', need: '老人要去县医院复查，子女不在家，需要人陪同。', name: '周淑珍', status: 'assigned', ago: 9, source: '电话', mode: 'assign', reassigned: true },
  { slug: 'hardship', need: '家里劳力少，玉米收不完，想请人帮两天忙。', name: '吴思远', status: 'assigned', ago: 6, mode: 'claim' },
  { slug: 'policy-talk', need: '想请人到院坝讲讲新的医保政策。', name: '徐晨曦', status: 'open', ago: 3 },
  { slug: 'neighbour', need: '院里路灯坏了，想请人帮忙换一下。', name: '孙丽华', status: 'open', ago: 2, returned: true },
  { slug: 'tutoring', need: '暑假想给孩子找人陪读英语。', name: '马建军', status: 'accepted', ago: 1 },
  { slug: 'health-check', need: '想给卧床老人请人上门量量血糖。', name: '朱红梅', status: 'new', ago: 0, source: '电话' },
  { slug: 'wish', need: '孩子想要一套课外读物。', name: '何小兰', status: 'open', ago: 1, value: 80 },
  { slug: 'wish', need: '老人想要一副老花镜。', name: '冯桂兰', status: 'new', ago: 0, value: 50 },
  { slug: 'legal-aid', need: '想请人帮忙打官司，起诉对方赔偿二十万元。', name: '郭大勇', status: 'rejected', ago: 40, reason: '诉讼代理不属于志愿服务，已告知可申请法律援助' },
];

/** Seeds the demo county's service orders: every state, both dispatch modes, a low rating awaiting 回访. */
export async function seedOrders(db: Db, now = Date.now()): Promise<void> {
  // 普法讲座 orders are seeded with publishing (db/seed-publishing.ts); these are the other items'.
  const [{ n }] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM service_orders WHERE lecture IS NULL`);
  if (Number(n) > 0) return;
  const villages = await db.all<{ id: number; town_id: number }>(sql`SELECT id, parent_id AS town_id FROM regions WHERE level = 'village' ORDER BY id`);
  const items = new Map((await db.all<{ id: number; slug: string; name: string }>(sql`SELECT id, slug, name FROM service_items`)).map((i) => [i.slug, i]));
  const teams = await db.all<{ id: number; name: string; town_id: number | null }>(sql`SELECT id, name, town_id FROM teams WHERE status = 'active' ORDER BY id`);
  if (!villages.length || !teams.length) return;
  const H = 3600_000;
  const statements: Statement[] = [];
  PLAN.forEach((p, k) => {
    const item = items.get(p.slug);
    if (!item) return;
    const v = villages[(k * 5) % villages.length];
    const team = teams.find((t) => t.town_id === v.town_id) ?? teams[k % teams.length];
    const created = now - p.ago * 86400_000 - 2 * H;
    const no = `DD-${shanghaiDay(created).slice(0, 4)}-DEMO${String(k + 10).padStart(2, '0')}`;
    const source = p.source ?? '网上';
    const reached = (s: Planned['status'][]) => s.includes(p.status);
    const accepted = reached(['accepted', 'open', 'assigned', 'done', 'rated']) ? created + 3 * H : null;
    const dispatched = reached(['assigned', 'done', 'rated']) ? created + 20 * H : null;
    const done = reached(['done', 'rated']) ? created + 2 * 86400_000 : null;
    const rated = p.status === 'rated' ? created + 3 * 86400_000 : null;
    const holds = reached(['assigned', 'done', 'rated']);
    statements.push(sql`INSERT INTO service_orders (tracking_no, item_id, requester_name, requester_phone, town_id, village_id, address, need, preferred_time, source,
        public_consent, status, dispatch_mode, team_id, reject_reason, close_note, rating, rating_comment, revisit_due, accepted_at, dispatched_at, done_at, rated_at, created_at, estimated_value)
      VALUES (${no}, ${item.id}, ${p.name}, ${`1381200${String(1000 + k)}`}, ${v.town_id}, ${v.id}, ${`${(k % 9) + 1}组${k + 3}号`}, ${p.need}, ${k % 2 ? '周末上午' : ''}, ${source},
        ${k % 3 ? 1 : 0}, ${p.status}, ${holds ? (p.mode ?? 'assign') : null}, ${holds ? team.id : null}, ${p.reason ?? null},
        ${done ? '志愿者按约定上门完成服务，群众当场确认。' : null}, ${p.rating ?? null}, ${p.comment ?? null}, ${p.rating != null && p.rating <= 2 ? 1 : 0},
        ${accepted}, ${dispatched}, ${done}, ${rated}, ${created}, ${p.value ?? null})`);
    const id = sql`(SELECT id FROM service_orders WHERE tracking_no = ${no})`;
    const step = (at: number, kind: string, text: string) => statements.push(sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${id}, ${at}, ${kind}, ${text})`);
    step(created, 'created', source === '网上' ? `网上点单：${item.name}` : `${source}点单，工作人员代为登记：${item.name}`);
    if (p.status === 'rejected') step(created + 4 * H, 'rejected', `不予受理：${p.reason}`);
    if (accepted) step(accepted, 'accepted', '县新时代文明实践中心已受理');
    if (p.status === 'open' || (holds && p.mode === 'claim')) step(created + 5 * H, 'opened', '已发布到接单大厅，等待志愿服务队伍接单');
    const other = teams.find((t) => t.id !== team.id);
    if (p.returned && other) {
      step(created + 4 * H, 'assigned', `已派单给“${other.name}”`);
      step(created + 30 * H, 'returned', '已退回接单大厅，重新等待志愿服务队伍接单');
    }
    if (p.reassigned && other) step(created + 6 * H, 'assigned', `已派单给“${other.name}”`);
    if (dispatched)
      step(
        dispatched,
        p.mode === 'claim' ? 'claimed' : p.reassigned && other ? 'reassigned' : 'assigned',
        p.mode === 'claim' ? `“${team.name}”已接单` : `已${p.reassigned && other ? '改派' : '派单'}给“${team.name}”`,
      );
    if (done) step(done, 'done', '服务已完成，欢迎评价');
    if (rated) step(rated, 'rated', `群众评价：${p.rating} 星${p.rating! <= 2 ? '，工作人员将回访' : ''}`);
  });
  await writeBatch(db, statements);
}
