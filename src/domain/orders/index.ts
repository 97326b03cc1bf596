// 四单 service orders (issue 20): 群众点单 → 中心审单/派单 → 队伍接单 → 群众评单. Every state change is one
// guarded UPDATE … WHERE status = <from> with its timeline step and audit row in the same batch
// (docs/architecture.md "Writes under contention"); a claim (抢单) is exact because its guard is the claim.
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch } from '../../../db/write.ts';
import { serviceItems, serviceOrders, serviceOrderSteps } from '../../../db/schema/index.ts';
import { can, leaderMayWriteSql, leaderWriteRefusal, teamLeaderIdsSql } from '../accounts/policy.ts';
import { mayHandleOrder, mayHandleThisOrderSql } from './scope.ts';
import { isOverdue, overdueSql } from './figures.ts';
import { newRatingLink } from './rating-links.ts';
import { dispatchDeadlineOf, newOrderDeadlines } from './deadlines.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement, audit } from '../audit/index.ts';
import { hitRateLimit, rateKey } from '../accounts/rate-limit.ts';
import { validRegionPair } from '../regions/index.ts';
import { humanCode } from '../../lib/ids.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { isPlainLine, isPlainText, plainLineError, plainTextError } from '../../lib/plain-text.ts';
import { lookupTable } from '../../lib/lookup.ts';
import { Refusal } from '../refusal.ts';
import { MAX_ORDER_PHOTOS, orderFileStatements, storeOrderPhotos, type PhotoUpload } from './photos.ts';
import { discardPrivateFiles } from '../media/private.ts';
import { checkClosingReport, closingDefaults, eventsAllowClosingSql, explainClosingEvents, type ClosingReport } from './report.ts';

export type ServiceOrder = typeof serviceOrders.$inferSelect;
export type ServiceItem = typeof serviceItems.$inferSelect;

/** Each status in the words a resident and staff read. */
export const ORDER_STATUS: Readonly<Record<string, string>> = lookupTable({
  new: '待受理',
  accepted: '已受理，待派单',
  open: '待队伍接单',
  assigned: '服务中',
  done: '已办结，待评价',
  rated: '已评价',
  rejected: '不予受理',
});

/** Where an order came from: 网上 is the resident's own form; the others are entered by staff on their behalf. */
export const ORDER_SOURCES = ['网上', '电话', '窗口', '上门'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

/** A refused step of the order loop, in Chinese, optionally next to a form field. */
export class OrderError extends Refusal {
  constructor(status: 'BAD_REQUEST' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS', message: string, field?: string) {
    super(status, message, field);
    this.name = 'OrderError';
  }
}

const line = (label: string, min: number, max: number, msg: string) => z.string().trim().refine(isPlainLine, plainLineError(label)).min(min, msg).max(max, `${label}不超过 ${max} 个字`);

/** The order form, public and on behalf alike. */
export const ServiceOrderSchema = z.object({
  itemId: z.coerce.number({ error: '请选择服务项目' }).int().positive('请选择服务项目'),
  townId: z.coerce.number({ error: '请选择乡镇（街道）' }).int().positive('请选择乡镇（街道）'),
  villageId: z.coerce.number({ error: '请选择村（社区）' }).int().positive('请选择村（社区）'),
  address: line('详细地址', 2, 100, '请填写详细地址，例如“3组12号”'),
  need: z.string().trim().refine(isPlainText, plainTextError('需求说明')).min(5, '请用一两句话说明需要什么帮助（至少 5 个字）').max(500, '需求说明不超过 500 字'),
  preferredTime: line('希望时间', 0, 60, '希望时间不超过 60 字').default(''),
  requesterName: line('联系人姓名', 2, 30, '请填写联系人姓名'),
  requesterPhone: z
    .string()
    .trim()
    .regex(/^1[3-9]\d{9}$/, '请填写 11 位手机号码'),
  publicConsent: z.boolean().default(false),
  /** A 微心愿's estimated value in 元 (asked for individual items only, held to the item's cap). */
  estimatedValue: z.coerce
    .number({ error: '请填写估计价值（元），例如 80' })
    .int('请填写整数元，例如 80')
    .min(1, '请填写估计价值（元），例如 80')
    .max(1_000_000, '请填写估计价值（元），例如 80')
    .optional(),
});
export type ServiceOrderInput = z.infer<typeof ServiceOrderSchema>;

/** The active menu, in menu order. */
export async function listMenu(db: Db): Promise<ServiceItem[]> {
  return db.select().from(serviceItems).where(eq(serviceItems.active, 1)).orderBy(asc(serviceItems.sort), asc(serviceItems.id));
}

/** One menu item by id (active or not: an old order keeps its item). */
export async function getServiceItem(db: Db, id: number): Promise<ServiceItem | undefined> {
  const [i] = await db.select().from(serviceItems).where(eq(serviceItems.id, id));
  return i;
}

/** The menu grouped by category, for /services. */
export async function menuByCategory(db: Db): Promise<{ category: string; items: ServiceItem[] }[]> {
  const groups = new Map<string, ServiceItem[]>();
  for (const i of await listMenu(db)) groups.set(i.category, [...(groups.get(i.category) ?? []), i]);
  return [...groups].map(([category, items]) => ({ category, items }));
}

/** A new tracking number: DD-<Beijing year>-<6>. */
export function newTrackingNo(now = Date.now()): string {
  return `DD-${shanghaiDay(now).slice(0, 4)}-${humanCode(6)}`;
}

const step = (orderId: number | SQL, kind: string, text: string | SQL, now: number) => sql`INSERT INTO service_order_steps (order_id, at, kind, text) VALUES (${orderId}, ${now}, ${kind}, ${text})`;
const byNumber = (no: string) => sql`(SELECT id FROM service_orders WHERE tracking_no = ${no})`;

/**
 * Records an order, with its first timeline step (and, entered on behalf, the audit row) in one batch.
 * `by` is the staff member entering it for a resident who phoned or came to the window; `photos` (at most
 * two, private) are linked in the same batch and discarded if it fails.
 */
export async function createServiceOrder(
  db: Db,
  input: ServiceOrderInput,
  opts: { source?: OrderSource; by?: SessionUser; ip?: string; photos?: { uploadsDir: string; files: PhotoUpload[] } } = {},
  now = Date.now(),
): Promise<{ id: number; trackingNo: string }> {
  const o = ServiceOrderSchema.parse(input);
  const source = opts.source ?? '网上';
  if (!ORDER_SOURCES.includes(source)) throw new OrderError('BAD_REQUEST', '请选择点单渠道', 'source');
  if (source !== '网上' && !(opts.by && can(opts.by, 'orders.handle'))) throw new OrderError('FORBIDDEN', '只有工作人员可以代群众点单');
  const [item] = await db
    .select({
      id: serviceItems.id,
      name: serviceItems.name,
      individual: serviceItems.individual,
      valueCap: serviceItems.valueCap,
      acceptHours: serviceItems.acceptHours,
      dispatchHours: serviceItems.dispatchHours,
      finishDays: serviceItems.finishDays,
    })
    .from(serviceItems)
    .where(and(eq(serviceItems.id, o.itemId), eq(serviceItems.active, 1), eq(serviceItems.kind, 'service')));
  // A 普法讲座 is ordered on /legal/order, with its topic and audience (docs/decisions/101).
  if (!item) throw new OrderError('BAD_REQUEST', '请从服务菜单中选择服务项目', 'itemId');
  // 微心愿: a small wish one volunteer can fulfil alone, so its value is asked and held to the item's cap.
  const value = item.individual ? o.estimatedValue : undefined;
  if (item.individual && value == null) throw new OrderError('BAD_REQUEST', '请填写心愿物品的估计价值（元），例如 80', 'estimatedValue');
  if (item.individual && item.valueCap != null && value! > item.valueCap)
    throw new OrderError('BAD_REQUEST', `微心愿的价值不超过 ${item.valueCap} 元；超过的需求请选择其他服务项目（如“扶贫帮困”），由实践所统筹`, 'estimatedValue');
  if (!(await validRegionPair(db, o.townId, o.villageId))) throw new OrderError('BAD_REQUEST', '所选村（社区）不属于该乡镇，请重新选择', 'villageId');
  const photoIds = opts.photos ? await storeOrderPhotos(db, opts.photos.uploadsDir, opts.photos.files, { field: 'photos', max: MAX_ORDER_PHOTOS, userId: opts.by?.id ?? null }) : [];
  // A 所 enters orders for its own 乡镇 only: one for elsewhere would land where it cannot see it.
  if (source !== '网上' && !(await mayHandleOrder(db, opts.by, { townId: o.townId })))
    throw new OrderError('BAD_REQUEST', '您只能为本乡镇（街道）的群众代为点单；其他乡镇的请转给当地新时代文明实践所或县中心', 'townId');
  const trackingNo = newTrackingNo(now);
  const id = byNumber(trackingNo);
  // The limits it is held to, fixed now: a later change to the item applies to new orders (docs/decisions/106).
  const deadlines = await newOrderDeadlines(db, item, now);
  const statements = [
    db.insert(serviceOrders).values({
      trackingNo,
      itemId: o.itemId,
      requesterName: o.requesterName,
      requesterPhone: o.requesterPhone,
      townId: o.townId,
      villageId: o.villageId,
      address: o.address,
      need: o.need,
      preferredTime: o.preferredTime,
      source,
      enteredBy: source === '网上' ? null : opts.by!.id,
      publicConsent: o.publicConsent ? 1 : 0,
      estimatedValue: value ?? null,
      status: 'new',
      ...deadlines,
      createdAt: now,
    }),
    step(id, 'created', source === '网上' ? `网上点单：${item.name}` : `${source}点单，工作人员代为登记：${item.name}`, now),
  ];
  if (source !== '网上')
    statements.push(auditStatement({ actorId: opts.by!.id, action: 'order.create_on_behalf', targetType: 'service_order', targetId: id, after: { source, itemId: o.itemId }, ip: opts.ip }));
  statements.push(...orderFileStatements(id, photoIds));
  try {
    await writeBatch(db, statements);
  } catch (e) {
    if (photoIds.length) await discardPrivateFiles(db, opts.photos!.uploadsDir, photoIds);
    throw e;
  }
  const [row] = await db.select({ id: serviceOrders.id }).from(serviceOrders).where(eq(serviceOrders.trackingNo, trackingNo));
  return { id: row.id, trackingNo };
}

/** One order by id. */
export async function getServiceOrder(db: Db, id: number): Promise<ServiceOrder | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const [o] = await db.select().from(serviceOrders).where(eq(serviceOrders.id, id));
  return o;
}

/** One order as staff may see it: undefined when it does not exist or lies outside their 乡镇 (a 404, not a 403). */
export async function getOrderForStaff(db: Db, user: SessionUser, id: number): Promise<ServiceOrder | undefined> {
  if (!Number.isSafeInteger(id) || !can(user, 'orders.handle')) return undefined;
  const [o] = await db
    .select()
    .from(serviceOrders)
    .where(and(eq(serviceOrders.id, id), mayHandleThisOrderSql(user.id)));
  return o;
}

/** An order's timeline, oldest first. */
export async function orderSteps(db: Db, orderId: number) {
  return db.select().from(serviceOrderSteps).where(eq(serviceOrderSteps.orderId, orderId)).orderBy(asc(serviceOrderSteps.at), asc(serviceOrderSteps.id));
}

/**
 * Orders for the console within the viewer's scope (their 乡镇, or all for the 中心), newest first, by 乡镇,
 * status, 回访 flag and 逾期 (past a working-day limit now); each row says whether it is overdue.
 */
export async function listServiceOrders(db: Db, viewer: SessionUser, f: { townId?: number; status?: string; revisit?: boolean; overdue?: boolean } = {}, now = Date.now()) {
  if (!can(viewer, 'orders.handle')) return [];
  const rows = await db
    .select({
      o: serviceOrders,
      item: serviceItems.name,
      category: serviceItems.category,
      team: sql<string | null>`(SELECT name FROM teams WHERE id = ${serviceOrders.teamId})`,
    })
    .from(serviceOrders)
    .innerJoin(serviceItems, eq(serviceItems.id, serviceOrders.itemId))
    .where(
      and(
        mayHandleThisOrderSql(viewer.id),
        f.townId ? eq(serviceOrders.townId, f.townId) : undefined,
        f.status ? eq(serviceOrders.status, f.status) : undefined,
        f.revisit ? eq(serviceOrders.revisitDue, 1) : undefined,
        // The deadlines are on the order (docs/decisions/106): the filter is exact, in SQL.
        f.overdue ? overdueSql(now) : undefined,
      ),
    )
    .orderBy(desc(serviceOrders.createdAt), desc(serviceOrders.id))
    .limit(200);
  return rows.map((r) => ({ ...r, overdue: isOverdue(r.o, now) }));
}

/** Active teams to dispatch an order to: those of its 乡镇 first, then county-wide ones, then the rest. */
export async function dispatchTeams(db: Db, townId: number) {
  return db.all<{ id: number; name: string; town_id: number | null }>(
    sql`SELECT id, name, town_id FROM teams WHERE status = 'active' ORDER BY (town_id = ${townId}) DESC, (town_id IS NULL) DESC, id LIMIT 300`,
  );
}

function requireHandler(user: SessionUser) {
  if (!can(user, 'orders.handle')) throw new OrderError('FORBIDDEN', '只有县文明实践中心的工作人员可以处理服务点单');
}

/** After a guard matched nothing: the refusal that says why (read afterwards, never as the guard). */
async function explain(db: Db, user: SessionUser, id: number, what: string): Promise<never> {
  const o = await getOrderForStaff(db, user, id);
  if (!o) throw new OrderError('NOT_FOUND', '找不到该点单');
  throw new OrderError('CONFLICT', `该点单当前状态为“${ORDER_STATUS[o.status] ?? o.status}”，不能${what}，请刷新后重试`);
}

/** 受理: the centre takes the order on. */
export async function acceptOrder(db: Db, user: SessionUser, id: number, now = Date.now()): Promise<void> {
  requireHandler(user);
  if (!Number.isSafeInteger(id)) throw new OrderError('NOT_FOUND', '找不到该点单');
  // 派单 is due within the item's limit from now, stored with the acceptance (docs/decisions/106).
  const dispatchBy = await dispatchDeadlineOf(db, id, now);
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'accepted', accepted_at = ${now}, dispatch_by = ${dispatchBy} WHERE id = ${id} AND status = 'new' AND ${mayHandleThisOrderSql(user.id)}`,
    [step(id, 'accepted', '县新时代文明实践中心已受理', now), auditStatement({ actorId: user.id, action: 'order.accept', targetType: 'service_order', targetId: id, after: { status: 'accepted' } })],
  );
  if (!ok) await explain(db, user, id, '受理');
}

/** 不予受理, with a reason the resident reads on /track. */
export async function rejectOrder(db: Db, user: SessionUser, id: number, reason: string, now = Date.now()): Promise<void> {
  requireHandler(user);
  const r = reason.trim();
  if (r.length < 2) throw new OrderError('BAD_REQUEST', '请填写不予受理的原因，点单人查询时可以看到', 'reason');
  if (r.length > 200 || !isPlainLine(r)) throw new OrderError('BAD_REQUEST', '原因请用一句话说明（不超过 200 字）', 'reason');
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'rejected', reject_reason = ${r} WHERE id = ${id} AND status IN ('new', 'accepted', 'open') AND ${mayHandleThisOrderSql(user.id)}`,
    [step(id, 'rejected', `不予受理：${r}`, now), auditStatement({ actorId: user.id, action: 'order.reject', targetType: 'service_order', targetId: id, after: { status: 'rejected' }, detail: r })],
  );
  if (!ok) await explain(db, user, id, '不予受理');
}

/** A 普法讲座 is dispatched to a lecturer (legal.schedule), never to a team's pool; an item's kind never changes, so reading it first is a guard. */
async function refuseLectureDispatch(db: Db, id: number): Promise<void> {
  const [lecture] = await db.all(sql`SELECT 1 FROM service_orders o JOIN service_items i ON i.id = o.item_id WHERE o.id = ${id} AND i.kind = 'lecture'`);
  if (lecture) throw new OrderError('CONFLICT', '普法讲座请在办理页面“指派主讲人”中安排，不能派给队伍或开放抢单');
}

/** Notices to the leaders of team `teamId`, as one statement for a guarded write's follow-ups. */
const leaderNotice = (teamId: number, title: SQL, body: string, now: number) =>
  sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
    SELECT leader_ids.user_id, 'orders', ${title}, ${body}, '/me/teams/' || (SELECT slug FROM teams WHERE id = ${teamId}) || '/orders', ${now}
    FROM (${teamLeaderIdsSql(teamId)}) leader_ids`;
const orderNo = (id: number) => sql`(SELECT tracking_no FROM service_orders WHERE id = ${id})`;

/**
 * 派单: assigns the order to an active team, or 改派 (reassigns) it from the team that has it. The team
 * read first is part of the guard (`team_id IS <it>`), so the notices to the old team's leaders go to the
 * team the order really left; the new team's leaders are told in the same batch.
 */
export async function assignOrder(db: Db, user: SessionUser, id: number, teamId: number, now = Date.now()): Promise<void> {
  requireHandler(user);
  await refuseLectureDispatch(db, id);
  if (!Number.isSafeInteger(teamId) || teamId <= 0) throw new OrderError('BAD_REQUEST', '请选择承接队伍', 'teamId');
  const [team] = await db.all<{ name: string }>(sql`SELECT name FROM teams WHERE id = ${teamId} AND status = 'active'`);
  if (!team) throw new OrderError('BAD_REQUEST', '请选择一支正常运行的队伍', 'teamId');
  const o = await getOrderForStaff(db, user, id);
  if (!o) throw new OrderError('NOT_FOUND', '找不到该点单');
  const from = o.status === 'assigned' ? o.teamId : null;
  const reassign = from != null;
  const followUps = [
    step(id, reassign ? 'reassigned' : 'assigned', reassign ? `已改派给“${team.name}”` : `已派单给“${team.name}”`, now),
    auditStatement({
      actorId: user.id,
      action: reassign ? 'order.reassign' : 'order.assign',
      targetType: 'service_order',
      targetId: id,
      before: reassign ? { teamId: from } : undefined,
      after: { teamId },
    }),
    leaderNotice(teamId, sql`'新派给本队的服务点单：' || ${orderNo(id)}`, '请尽快与群众联系，约定服务时间；完成后在队伍的“服务点单”页确认完成。', now),
  ];
  if (from != null) followUps.push(leaderNotice(from, sql`'服务点单已改派给其他队伍：' || ${orderNo(id)}`, '县新时代文明实践中心（所）已把这个点单改派给其他队伍，本队无需再上门服务。', now));
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'assigned', team_id = ${teamId}, claimed_by_user = NULL, dispatch_mode = 'assign', dispatched_at = coalesce(dispatched_at, ${now})
      WHERE id = ${id} AND status = ${o.status} AND status IN ('accepted', 'open', 'assigned') AND team_id IS ${from} AND team_id IS NOT ${teamId}
      AND EXISTS (SELECT 1 FROM teams WHERE id = ${teamId} AND status = 'active') AND ${mayHandleThisOrderSql(user.id)}`,
    followUps,
  );
  if (!ok) await explain(db, user, id, reassign ? '改派给这支队伍' : '派给这支队伍');
}

/**
 * Opens an accepted order for teams to claim (抢单), or returns an assigned one to the pool (退回接单大厅):
 * the team that had it is told in the same batch, and the resident's timeline says it is being re-dispatched.
 */
export async function openOrder(db: Db, user: SessionUser, id: number, now = Date.now()): Promise<void> {
  requireHandler(user);
  await refuseLectureDispatch(db, id);
  const o = await getOrderForStaff(db, user, id);
  if (!o) throw new OrderError('NOT_FOUND', '找不到该点单');
  const from = o.status === 'assigned' ? o.teamId : null;
  const followUps = [
    step(id, from != null ? 'returned' : 'opened', from != null ? '已退回接单大厅，重新等待志愿服务队伍接单' : '已发布到接单大厅，等待志愿服务队伍接单', now),
    auditStatement({
      actorId: user.id,
      action: from != null ? 'order.return' : 'order.open',
      targetType: 'service_order',
      targetId: id,
      before: from != null ? { teamId: from } : undefined,
      after: { status: 'open' },
    }),
  ];
  if (from != null) followUps.push(leaderNotice(from, sql`'服务点单已退回接单大厅：' || ${orderNo(id)}`, '县新时代文明实践中心（所）已收回这个点单，本队无需再上门服务。', now));
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'open', team_id = NULL, claimed_by_user = NULL, dispatch_mode = NULL
      WHERE id = ${id} AND status = ${o.status} AND status IN ('accepted', 'assigned') AND team_id IS ${from} AND ${mayHandleThisOrderSql(user.id)}`,
    followUps,
  );
  if (!ok) await explain(db, user, id, from != null ? '退回接单大厅' : '开放接单');
}

/** The area rule for claiming: a team of the order's 乡镇, or a county-wide team (no 乡镇). */
const teamFitsSql = (teamId: number) => sql`EXISTS (SELECT 1 FROM teams ft WHERE ft.id = ${teamId} AND (ft.town_id IS NULL OR ft.town_id = service_orders.town_id))`;

/**
 * 抢单: a leader claims an open order for their team. ONE guarded UPDATE — the order is still open and
 * unclaimed, the team fits its area, the user may write for the team — so of many simultaneous claims
 * exactly one changes the row; the others are told who was faster.
 */
export async function claimOrder(db: Db, user: SessionUser, id: number, teamId: number, now = Date.now()): Promise<void> {
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(teamId)) throw new OrderError('NOT_FOUND', '找不到该点单');
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'assigned', team_id = ${teamId}, dispatch_mode = 'claim', dispatched_at = ${now}
      WHERE id = ${id} AND status = 'open' AND team_id IS NULL AND ${teamFitsSql(teamId)} AND ${leaderMayWriteSql(teamId, user.id)}`,
    [
      step(id, 'claimed', sql`'“' || (SELECT name FROM teams WHERE id = ${teamId}) || '”已接单'`, now),
      auditStatement({ actorId: user.id, action: 'order.claim', targetType: 'service_order', targetId: id, after: { teamId } }),
    ],
  );
  if (ok) return;
  const refusal = await leaderWriteRefusal(db, user.id, teamId, '接单');
  if (refusal) throw refusal;
  const o = await getServiceOrder(db, id);
  if (!o) throw new OrderError('NOT_FOUND', '找不到该点单');
  if (o.status === 'assigned' && o.teamId !== teamId) throw new OrderError('CONFLICT', '手慢了：该点单已被其他队伍接走');
  if (o.status === 'assigned') throw new OrderError('CONFLICT', '您的队伍已接下这个点单');
  if (o.status === 'open') throw new OrderError('FORBIDDEN', '该点单不在您队伍的服务区域内');
  throw new OrderError('CONFLICT', `该点单当前状态为“${ORDER_STATUS[o.status] ?? o.status}”，不能接单`);
}

/**
 * 认领微心愿: one active volunteer claims an open 微心愿 alone — the same single guarded UPDATE as a team's
 * claim, so a wish two people press for at once goes to exactly one of them.
 */
export async function claimWish(db: Db, user: SessionUser, id: number, now = Date.now()): Promise<void> {
  if (!can(user, 'volunteer.act')) throw new OrderError('FORBIDDEN', '只有注册志愿者可以认领微心愿');
  if (!Number.isSafeInteger(id)) throw new OrderError('NOT_FOUND', '找不到该心愿');
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'assigned', claimed_by_user = ${user.id}, dispatch_mode = 'volunteer', dispatched_at = ${now}
      WHERE id = ${id} AND status = 'open' AND team_id IS NULL AND claimed_by_user IS NULL
        AND EXISTS (SELECT 1 FROM service_items i WHERE i.id = service_orders.item_id AND i.individual = 1)
        AND EXISTS (SELECT 1 FROM users u WHERE u.id = ${user.id} AND u.status = 'active')`,
    [step(id, 'claimed', '一位志愿者认领了这个心愿', now), auditStatement({ actorId: user.id, action: 'order.claim_wish', targetType: 'service_order', targetId: id })],
  );
  if (ok) return;
  const o = await getServiceOrder(db, id);
  const item = o ? await getServiceItem(db, o.itemId) : undefined;
  if (!o || !item?.individual) throw new OrderError('NOT_FOUND', '找不到该心愿');
  if (o.claimedByUser === user.id) throw new OrderError('CONFLICT', '您已认领这个心愿');
  if (o.status === 'assigned') throw new OrderError('CONFLICT', '手慢了：这个心愿已被别人认领');
  throw new OrderError('CONFLICT', `该心愿当前状态为“${ORDER_STATUS[o.status] ?? o.status}”，不能认领`);
}

/** The volunteer who claimed a 微心愿 marks it fulfilled, with a short note. */
export async function finishWish(db: Db, user: SessionUser, id: number, note: string, now = Date.now()): Promise<{ rateToken: string }> {
  const n = note.trim();
  if (n.length < 5) throw new OrderError('BAD_REQUEST', '请写几句说明：送去了什么、什么时候送到（至少 5 个字）', 'note');
  if (n.length > 500 || !isPlainText(n)) throw new OrderError('BAD_REQUEST', '说明不超过 500 字，且不含特殊控制字符', 'note');
  const link = newRatingLink(id, now);
  const ok = await guardedWrite(db, sql`UPDATE service_orders SET status = 'done', close_note = ${n}, done_at = ${now} WHERE id = ${id} AND status = 'assigned' AND claimed_by_user = ${user.id}`, [
    link.statement,
    step(id, 'done', '心愿已实现，欢迎评价', now),
    auditStatement({ actorId: user.id, action: 'order.done', targetType: 'service_order', targetId: id, after: { status: 'done' } }),
  ]);
  if (ok) return { rateToken: link.token };
  const o = await getServiceOrder(db, id);
  if (!o || o.claimedByUser !== user.id) throw new OrderError('NOT_FOUND', '找不到该心愿');
  throw new OrderError('CONFLICT', `该心愿当前状态为“${ORDER_STATUS[o.status] ?? o.status}”，不能确认完成`);
}

/** Open 微心愿 anyone may claim (no name, phone or address), and the ones this volunteer holds (with the contact while open). */
export async function wishesFor(db: Db, userId: number) {
  const open = await db.all<{ id: number; town_id: number; village_id: number; need: string; created_at: number }>(
    sql`SELECT o.id, o.town_id, o.village_id, o.need, o.created_at FROM service_orders o JOIN service_items i ON i.id = o.item_id
      WHERE i.individual = 1 AND o.status = 'open' AND o.team_id IS NULL AND o.claimed_by_user IS NULL ORDER BY o.created_at LIMIT 100`,
  );
  const mine = await db.select().from(serviceOrders).where(eq(serviceOrders.claimedByUser, userId)).orderBy(desc(serviceOrders.dispatchedAt)).limit(50);
  return { open, mine };
}

/**
 * 确认完成: the team's leader closes the order with its 结项 report. The guard also holds the event rule
 * (every linked event over and one completed, or a 无需活动 reason: src/domain/orders/report.ts).
 */
export async function finishOrder(db: Db, user: SessionUser, id: number, teamId: number, report: ClosingReport, now = Date.now()): Promise<{ rateToken: string }> {
  const r = checkClosingReport(report);
  if (!Number.isSafeInteger(id)) throw new OrderError('NOT_FOUND', '找不到该点单');
  const completed = (await closingDefaults(db, id)).completedEvents > 0;
  const reason = completed ? '' : r.noEventReason;
  // The resident's one-time rating link is issued in the same batch (src/domain/orders/rating-links.ts).
  const link = newRatingLink(id, now);
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'done', close_note = ${r.note}, served_volunteers = ${r.servedVolunteers}, beneficiaries = ${r.beneficiaries},
        hours_recorded = ${r.hoursRecorded ? 1 : 0}, no_event_reason = ${reason || null}, done_at = ${now}
      WHERE id = ${id} AND status = 'assigned' AND team_id = ${teamId} AND ${leaderMayWriteSql(teamId, user.id)} AND ${eventsAllowClosingSql(id, reason)}`,
    [
      link.statement,
      step(id, 'done', '服务已完成，欢迎评价', now),
      auditStatement({
        actorId: user.id,
        action: 'order.done',
        targetType: 'service_order',
        targetId: id,
        after: { status: 'done', servedVolunteers: r.servedVolunteers, beneficiaries: r.beneficiaries, hoursRecorded: r.hoursRecorded, noEventReason: reason || null },
      }),
    ],
  );
  if (ok) return { rateToken: link.token };
  const refusal = await leaderWriteRefusal(db, user.id, teamId, '确认完成');
  if (refusal) throw refusal;
  const o = await getServiceOrder(db, id);
  if (!o || o.teamId !== teamId) throw new OrderError('NOT_FOUND', '找不到该点单');
  if (o.status === 'assigned') await explainClosingEvents(db, id);
  throw new OrderError('CONFLICT', `该点单当前状态为“${ORDER_STATUS[o.status] ?? o.status}”，不能确认完成`);
}

/** Rating tries per number per hour: the four digits are the only secret. */
export const RATE_TRIES_PER_NUMBER_PER_HOUR = 10;

/**
 * 评单: the resident rates a finished order 1–5, proving it is theirs with the last four phone digits.
 * A rating of 1–2 raises the 回访 flag staff see in the console.
 */
export async function rateOrder(db: Db, input: { secretKey: Buffer; number: string; digits: string; rating: number; comment: string }, now = Date.now()): Promise<void> {
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) throw new OrderError('BAD_REQUEST', '请选择 1–5 星', 'rating');
  const comment = input.comment.trim();
  if (comment.length > 300 || !isPlainText(comment)) throw new OrderError('BAD_REQUEST', '评价内容不超过 300 字', 'comment');
  const limit = await hitRateLimit(db, rateKey(input.secretKey, 'order-rate', input.number), RATE_TRIES_PER_NUMBER_PER_HOUR, 3600_000, now);
  if (!limit.allowed) throw new OrderError('TOO_MANY_REQUESTS', '尝试次数过多，请一小时后再试');
  const [o] = await db.all<{ id: number; status: string }>(sql`SELECT id, status FROM service_orders WHERE tracking_no = ${input.number} AND substr(requester_phone, -4) = ${input.digits}`);
  if (!o) throw new OrderError('NOT_FOUND', '没有找到对应的点单，请核对编号和手机号码后四位');
  if (await recordRating(db, o.id, input.rating, comment, now)) return;
  if (o.status === 'rated') throw new OrderError('CONFLICT', '您已评价过这个点单，谢谢！');
  throw new OrderError('CONFLICT', '服务完成后才能评价');
}

/**
 * THE rating write, for /track and the SMS link alike: one guarded UPDATE from 'done' (plus the caller's
 * extra guard, such as an unused link) with its step, audit row and the caller's follow-ups. A rating of
 * 1–2 raises the 回访 flag. Returns whether it was recorded.
 */
export async function recordRating(db: Db, orderId: number, rating: number, comment: string, now: number, extra: { guard?: SQL; followUps?: SQL[] } = {}): Promise<boolean> {
  const revisit = rating <= 2 ? 1 : 0;
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_orders SET status = 'rated', rating = ${rating}, rating_comment = ${comment}, rated_at = ${now}, revisit_due = ${revisit}
      WHERE id = ${orderId} AND status = 'done'${extra.guard ? sql` AND ${extra.guard}` : sql``}`,
    [
      step(orderId, 'rated', `群众评价：${rating} 星${revisit ? '，工作人员将回访' : ''}`, now),
      auditStatement({ action: 'order.rate', targetType: 'service_order', targetId: orderId, after: { rating } }),
      ...(extra.followUps ?? []),
    ],
  );
  return Boolean(ok);
}

/**
 * 回访 done: staff called back a resident who rated 1–2 stars; the flag clears, the resident's timeline
 * says so, and what was said goes into the audit row (never onto the public timeline).
 */
export async function closeRevisit(db: Db, user: SessionUser, id: number, note: string, now = Date.now()): Promise<void> {
  requireHandler(user);
  const n = note.trim();
  if (n.length < 5) throw new OrderError('BAD_REQUEST', '请写几句回访情况：群众的意见和处理结果（至少 5 个字）', 'note');
  if (n.length > 500 || !isPlainText(n)) throw new OrderError('BAD_REQUEST', '回访情况不超过 500 字，且不含特殊控制字符', 'note');
  const ok = await guardedWrite(db, sql`UPDATE service_orders SET revisit_due = 0 WHERE id = ${id} AND revisit_due = 1 AND ${mayHandleThisOrderSql(user.id)}`, [
    step(id, 'revisited', '工作人员已回访', now),
    auditStatement({ actorId: user.id, action: 'order.revisit', targetType: 'service_order', targetId: id, before: { revisitDue: 1 }, after: { revisitDue: 0 }, detail: n }),
  ]);
  if (ok) return;
  const o = await getOrderForStaff(db, user, id);
  if (!o) throw new OrderError('NOT_FOUND', '找不到该点单');
  throw new OrderError('CONFLICT', '这个点单不需要回访，或已有人登记过回访，请刷新后重试');
}

/** Staff: the requester's full phone, to call back; every reveal is audited. */
export async function revealOrderPhone(db: Db, user: SessionUser, id: number, ip?: string): Promise<string> {
  requireHandler(user);
  const o = await getOrderForStaff(db, user, id);
  if (!o) throw new OrderError('NOT_FOUND', '找不到该点单');
  await audit(db, { actorId: user.id, action: 'order.reveal_phone', targetType: 'service_order', targetId: id, ip });
  return o.requesterPhone;
}

/**
 * The public record (issue 20 "privacy"): only orders whose resident agreed, and only category, item,
 * 村 and status — never a name, phone, address or the need in the resident's own words.
 */
export async function publicOrders(db: Db, limit = 10) {
  return db.all<{ category: string; item: string; town_id: number; village_id: number; status: string; created_at: number }>(
    sql`SELECT i.category, i.name AS item, o.town_id, o.village_id, o.status, o.created_at
      FROM service_orders o JOIN service_items i ON i.id = o.item_id
      WHERE o.public_consent = 1 AND o.status <> 'rejected'
      ORDER BY o.created_at DESC, o.id DESC LIMIT ${limit}`,
  );
}

/** Orders a team may claim now: open, in its area. No phone or name: a team sees those only once it has the order. */
export async function claimableOrders(db: Db, teamId: number) {
  return db.all<{ id: number; tracking_no: string; item: string; category: string; town_id: number; village_id: number; need: string; preferred_time: string; created_at: number }>(
    sql`SELECT o.id, o.tracking_no, i.name AS item, i.category, o.town_id, o.village_id, o.need, o.preferred_time, o.created_at
      FROM service_orders o JOIN service_items i ON i.id = o.item_id
      WHERE o.status = 'open' AND o.team_id IS NULL
        AND EXISTS (SELECT 1 FROM teams t WHERE t.id = ${teamId} AND (t.town_id IS NULL OR t.town_id = o.town_id))
      ORDER BY o.created_at LIMIT 100`,
  );
}

/** The orders a team holds or held, newest first: the team's leaders see the requester's contact to do the work. */
export async function teamOrders(db: Db, teamId: number) {
  return db
    .select({ o: serviceOrders, item: serviceItems.name })
    .from(serviceOrders)
    .innerJoin(serviceItems, eq(serviceItems.id, serviceOrders.itemId))
    .where(eq(serviceOrders.teamId, teamId))
    .orderBy(desc(serviceOrders.dispatchedAt), desc(serviceOrders.id))
    .limit(100);
}
