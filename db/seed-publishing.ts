// Demo data for publishing (issue 7): 普法讲座 orders (service orders of the lecture item, docs/decisions/101)
// in every state, delivered ones spread over two years so /legal shows real 场次 and 受教育人次, and a few
// articles waiting in the review queue.
import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { articles, events, regions, reviewSteps, serviceOrders, serviceOrderSteps, teams, users } from './schema/index.ts';
import { formatDateTime, fromShanghai, shanghaiDay } from '../src/lib/time.ts';
import { randomToken } from '../src/lib/ids.ts';
import { newTrackingNo } from '../src/domain/orders/index.ts';

/** Seeds lecture orders and review-queue articles; idempotent (skips when lecture orders exist). */
export async function seedPublishing(db: Db, now = Date.now()): Promise<void> {
  const [{ n }] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM service_orders WHERE lecture IS NOT NULL`);
  if (Number(n) > 0) return;
  const [item] = await db.all<{ id: number }>(sql`SELECT id FROM service_items WHERE slug = 'legal-lecture'`);
  if (!item) return;
  const villages = await db.select({ id: regions.id, name: regions.name, parentId: regions.parentId }).from(regions).where(eq(regions.level, 'village'));
  const lecturers = await db
    .select({ id: users.id, name: users.realName })
    .from(users)
    .where(sql`EXISTS (SELECT 1 FROM json_each(${users.skills}) WHERE value = '法律')`)
    .limit(5);
  const teamRows = await db.select({ id: teams.id, slug: teams.slug }).from(teams);
  const team = teamRows.find((t) => t.slug === 'yunxi-lawyers-legal-aid') ?? teamRows.find((t) => t.slug === 'lihua-legal-mingbairen') ?? teamRows[0];
  const [editor] = await db.select({ id: users.id }).from(users).where(eq(users.phone, '13900000002'));
  if (!villages.length || !team) return;
  const day = (offset: number) => shanghaiDay(now + offset * 86400_000);
  const plan: { topic: string; status: string; offset: number; audience?: number; rating?: number; comment?: string; name: string; org: string }[] = [
    { topic: '反电信诈骗', status: 'rated', offset: -420, audience: 86, rating: 5, comment: '讲得通俗，老人都听懂了。', name: '王秀英', org: '村民委员会' },
    { topic: '民法典', status: 'rated', offset: -380, audience: 64, rating: 4, comment: '案例很贴近生活。', name: '李国强', org: '村民委员会' },
    { topic: '土地承包', status: 'delivered', offset: -300, audience: 120, name: '张德明', org: '村民委员会' },
    { topic: '婚姻家庭', status: 'rated', offset: -200, audience: 45, rating: 5, comment: '希望多来几次。', name: '刘春花', org: '妇女之家' },
    { topic: '劳动权益', status: 'delivered', offset: -90, audience: 150, name: '陈立新', org: '工业园区管委会' },
    { topic: '未成年人保护', status: 'rated', offset: -40, audience: 210, rating: 4, comment: '', name: '杨佳怡', org: '中心小学' },
    { topic: '反电信诈骗', status: 'delivered', offset: -12, audience: 73, name: '黄永红', org: '社区居委会' },
    { topic: '宪法', status: 'scheduled', offset: 9, name: '赵俊杰', org: '社区居委会' },
    { topic: '禁毒', status: 'accepted', offset: 0, name: '周淑珍', org: '中学' },
    { topic: '国家安全', status: 'new', offset: 0, name: '吴思远', org: '' },
    { topic: '民法典', status: 'new', offset: 0, name: '徐晨曦', org: '村民委员会' },
  ];
  let i = 0;
  for (const p of plan) {
    const v = villages[(i * 7) % villages.length];
    const lecturer = lecturers[i % Math.max(1, lecturers.length)];
    const when = fromShanghai(day(p.offset), '09:30');
    const createdAt = when - 20 * 86400_000;
    let eventId: number | null = null;
    if (['scheduled', 'delivered', 'rated'].includes(p.status)) {
      const [ev] = await db
        .insert(events)
        .values({
          teamId: team.id,
          title: `普法讲座：${p.topic}（${v.name}）`,
          category: '普法讲座',
          description: `应${v.name}${p.org}点单，举办“${p.topic}”主题普法讲座。\n\n主讲人：${lecturer?.name ?? '县律师服务团律师'}`,
          risks: '室内讲座，无特殊风险。',
          townId: v.parentId,
          villageId: v.id,
          address: `${v.name}${p.org || '村（居）委会'}会议室`,
          startsAt: when,
          endsAt: when + 90 * 60_000,
          signupOpensAt: createdAt,
          signupClosesAt: when,
          capacity: Math.max(30, p.audience ?? 60),
          status: p.status === 'scheduled' ? 'published' : 'completed',
          checkinSecret: randomToken(16),
          createdBy: editor?.id ?? null,
          createdAt,
        })
        .returning({ id: events.id });
      eventId = ev.id;
    }
    const delivered = p.status === 'delivered' || p.status === 'rated';
    const status = ({ scheduled: 'assigned', delivered: 'done' } as Record<string, string>)[p.status] ?? p.status;
    const acceptedAt = p.status === 'new' ? null : createdAt + 3 * 3600_000;
    const dispatchedAt = eventId ? createdAt + 26 * 3600_000 : null;
    const doneAt = delivered ? when + 90 * 60_000 : null;
    const ratedAt = p.rating ? when + 2 * 86400_000 : null;
    const [row] = await db
      .insert(serviceOrders)
      .values({
        trackingNo: newTrackingNo(createdAt),
        itemId: item.id,
        requesterName: p.name,
        requesterPhone: `1380000${String(1000 + i).padStart(4, '0')}`,
        townId: v.parentId ?? 0,
        villageId: v.id,
        address: p.org ? `${v.name}${p.org}` : '',
        need: '',
        preferredTime: '工作日上午',
        status,
        dispatchMode: eventId ? 'lecturer' : null,
        teamId: eventId ? team.id : null,
        rating: p.rating ?? null,
        ratingComment: p.comment ?? null,
        acceptedAt,
        dispatchedAt,
        doneAt,
        ratedAt,
        lecture: {
          topic: p.topic,
          audienceType: p.org.includes('小学') ? '中小学生' : p.org.includes('园区') ? '企业职工' : '村（居）民',
          audienceExpected: p.audience ?? 50,
          audienceActual: delivered ? p.audience! : null,
          organisation: p.org ? `${v.name}${p.org}` : null,
          lecturerId: eventId ? (lecturer?.id ?? null) : null,
          photoFileIds: [],
          handledBy: p.status === 'new' ? null : (editor?.id ?? null),
          legacyId: null,
        },
        createdAt,
      })
      .returning({ id: serviceOrders.id });
    const steps: { at: number; kind: string; text: string }[] = [{ at: createdAt, kind: 'created', text: `网上预约普法讲座：${p.topic}` }];
    if (acceptedAt) steps.push({ at: acceptedAt, kind: 'accepted', text: '县普法办已受理' });
    if (dispatchedAt) steps.push({ at: dispatchedAt, kind: 'assigned', text: `已安排主讲人，讲座时间 ${formatDateTime(when)}` });
    if (doneAt) steps.push({ at: doneAt, kind: 'done', text: `讲座已开讲，听众 ${p.audience} 人，欢迎评价` });
    if (ratedAt) steps.push({ at: ratedAt, kind: 'rated', text: `群众评价：${p.rating} 星` });
    await db.insert(serviceOrderSteps).values(steps.map((st) => ({ orderId: row.id, ...st })));
    if (eventId) await db.update(events).set({ serviceOrderId: row.id }).where(eq(events.id, eventId));
    i++;
  }
  // Review queue: one submitted article, one draft.
  if (editor) {
    const [sub] = await db
      .insert(articles)
      .values({
        slug: `${day(0).replace(/-/g, '')}-demo1`,
        channel: 'news',
        title: '县志愿者协会开展冬季送温暖活动',
        summary: '为 60 户困难群众送去棉被和慰问品。',
        body: '近日，县志愿者协会组织 40 余名志愿者走进各乡镇，为困难群众送去棉被、米油等慰问品。\n\n志愿者们还帮助老人打扫卫生、检查用电安全。',
        tags: '["送温暖","志愿服务"]',
        author: '林晓雯',
        source: '县文明办',
        status: 'submitted',
        submittedAt: now - 3600_000,
        createdBy: editor.id,
        createdAt: now - 7200_000,
        updatedAt: now - 3600_000,
      })
      .returning({ id: articles.id });
    await db.insert(reviewSteps).values({ subjectType: 'article', subjectId: sub.id, step: 0, decision: 'submit', reviewerId: editor.id, at: now - 3600_000 });
    await db.insert(articles).values({
      slug: `${day(0).replace(/-/g, '')}-demo2`,
      channel: 'notice',
      title: '关于开展2026年宪法宣传周活动的通知（草稿）',
      summary: '',
      body: '各乡镇（街道）：\n\n为做为宪法宣传周的重要内容……',
      tags: '[]',
      author: '林晓雯',
      source: '县普法办',
      status: 'draft',
      createdBy: editor.id,
      createdAt: now - 1800_000,
      updatedAt: now - 1800_000,
    });
  }
}
