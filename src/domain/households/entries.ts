// Entries on a household's card (issue 21, docs/decisions/102): the household's own 申报 (with a private
// photo) or a 评议小组 inspection by a 评议员; each needs the approval of two different 评议员 of the village,
// neither a member of the household nor the person who entered it. The second approval puts the entry on
// the month in the same guarded write; db/sql/households.sql refuses a third approval as the last line.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { maskName } from '../../lib/pii.ts';
import { HouseholdError, assertId } from './errors.ts';
import { holdsVillageRoleSql } from './roles.ts';

type Row = Record<string, unknown>;

/** Chinese names of entry statuses. */
export const ENTRY_STATUS_LABELS: Record<string, string> = {
  pending: '待评议',
  approved: '已评议，待公示',
  held: '有异议，暂缓',
  posted: '已入账',
  rejected: '未通过',
};

/** Chinese names of entry sources. */
export const ENTRY_SOURCE_LABELS: Record<string, string> = { claim: '农户申报', inspection: '评议小组评定' };

/** The Beijing month (YYYY-MM) that holds `now`. */
export function monthOf(now: number): string {
  return shanghaiDay(now).slice(0, 7);
}

/** The month after `month` (YYYY-MM). */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** One entry as a card, a queue or a 公示 shows it. */
export interface HouseholdEntry {
  id: number;
  householdId: number;
  householdNumber: string;
  householdName: string;
  villageId: number;
  title: string;
  category: string;
  amount: number;
  source: string;
  sourceLabel: string;
  note: string;
  photoFileId: number | null;
  month: string;
  status: string;
  statusLabel: string;
  approvals: number;
  createdAt: number;
}

function toEntry(r: Row, maskHead = true): HouseholdEntry {
  const head = String(r.head_name ?? '');
  return {
    id: Number(r.id),
    householdId: Number(r.household_id),
    householdNumber: String(r.number ?? ''),
    householdName: `${maskHead && Number(r.name_consent) !== 1 ? maskName(head) : head}户`,
    villageId: Number(r.village_id),
    title: String(r.title),
    category: String(r.category),
    amount: Number(r.amount),
    source: String(r.source),
    sourceLabel: ENTRY_SOURCE_LABELS[String(r.source)] ?? String(r.source),
    note: String(r.note ?? ''),
    photoFileId: r.photo_file_id == null ? null : Number(r.photo_file_id),
    month: String(r.month),
    status: String(r.status),
    statusLabel: ENTRY_STATUS_LABELS[String(r.status)] ?? String(r.status),
    approvals: Number(r.approvals),
    createdAt: Number(r.created_at),
  };
}

function checkNote(note: string, required: boolean): string {
  const n = note.trim();
  if (required && [...n].length < 5) throw new HouseholdError('BAD_REQUEST', '扣分必须写明事实和理由（至少 5 个字）', 'note');
  if ([...n].length > 300) throw new HouseholdError('BAD_REQUEST', '说明不超过 300 字', 'note');
  return n;
}

/** Throws FORBIDDEN unless the account is a member of a household (checked before a 申报's photo is stored). */
export async function assertHouseholdMember(db: Db, userId: number): Promise<void> {
  const [m] = await db.all<Row>(sql`SELECT 1 FROM household_members m JOIN households h ON h.id = m.household_id AND h.active = 1 WHERE m.user_id = ${userId}`);
  if (!m) throw new HouseholdError('FORBIDDEN', '您的账户尚未登记在任何农户中，请联系村（社区）积分管理员');
}

/**
 * A household member with an account declares a 加分项 (申报) with a photo. One guarded INSERT: the item must
 * be an active 加分项 of the member's own village; returns the entry id.
 */
export async function claimEntry(db: Db, userId: number, input: { itemId: number; note: string; photoFileId: number | null }, now = Date.now()): Promise<number> {
  assertId(input.itemId, '申报项目', 'itemId');
  if (input.photoFileId == null) throw new HouseholdError('BAD_REQUEST', '请上传一张现场照片作为凭证', 'photo');
  assertId(input.photoFileId, '照片', 'photo');
  const note = checkNote(input.note, false);
  const written = await guardedWrite(
    db,
    sql`INSERT INTO household_entries (household_id, village_id, item_id, title, category, amount, source, entered_by, note, photo_file_id, month, status, created_at)
      SELECT h.id, h.village_id, i.id, i.title, i.category, i.points, 'claim', ${userId}, ${note}, ${input.photoFileId}, ${monthOf(now)}, 'pending', ${now}
      FROM household_members m JOIN households h ON h.id = m.household_id AND h.active = 1
      JOIN scoring_items i ON i.village_id = h.village_id AND i.id = ${input.itemId} AND i.active = 1 AND i.direction = 'plus'
      WHERE m.user_id = ${userId}
      RETURNING id`,
    [
      auditStatement({
        actorId: userId,
        action: 'household.entry.claim',
        targetType: 'household_entry',
        targetId: sql`SELECT max(id) FROM household_entries WHERE entered_by = ${userId}`,
        after: { itemId: input.itemId },
      }),
    ],
  );
  if (written) return Number(written[0]?.rows[0]?.id);
  const [m] = await db.all<Row>(sql`SELECT 1 FROM household_members WHERE user_id = ${userId}`);
  if (!m) throw new HouseholdError('FORBIDDEN', '您的账户尚未登记在任何农户中，请联系村（社区）积分管理员');
  throw new HouseholdError('BAD_REQUEST', '请从本村评分表的加分项中选择', 'itemId');
}

/**
 * A 评议员 records a 评议小组 inspection of a household of their village: a 加分项 or a 扣分项 (a deduction
 * needs a written reason). One guarded INSERT; returns the entry id.
 */
export async function inspectionEntry(db: Db, assessorId: number, input: { householdId: number; itemId: number; note: string }, now = Date.now()): Promise<number> {
  assertId(input.householdId, '农户', 'householdId');
  assertId(input.itemId, '评分项目', 'itemId');
  const [item] = await db.all<Row>(sql`SELECT direction FROM scoring_items WHERE id = ${input.itemId}`);
  const note = checkNote(input.note, item?.direction === 'minus');
  const written = await guardedWrite(
    db,
    sql`INSERT INTO household_entries (household_id, village_id, item_id, title, category, amount, source, entered_by, note, month, status, created_at)
      SELECT h.id, h.village_id, i.id, i.title, i.category, CASE i.direction WHEN 'minus' THEN -i.points ELSE i.points END, 'inspection', ${assessorId}, ${note}, ${monthOf(now)}, 'pending', ${now}
      FROM households h JOIN scoring_items i ON i.village_id = h.village_id AND i.id = ${input.itemId} AND i.active = 1
      WHERE h.id = ${input.householdId} AND h.active = 1 AND ${holdsVillageRoleSql(sql`h.village_id`, assessorId, 'assessor')}
        AND (i.direction = 'plus' OR length(trim(${note})) >= 5)
      RETURNING id`,
    [
      auditStatement({
        actorId: assessorId,
        action: 'household.entry.inspect',
        targetType: 'household_entry',
        targetId: sql`SELECT max(id) FROM household_entries WHERE entered_by = ${assessorId}`,
        after: { householdId: input.householdId, itemId: input.itemId },
      }),
    ],
  );
  if (written) return Number(written[0]?.rows[0]?.id);
  const [h] = await db.all<Row>(sql`SELECT ${holdsVillageRoleSql(sql`h.village_id`, assessorId, 'assessor')} AS ok FROM households h WHERE h.id = ${input.householdId}`);
  if (!h) throw new HouseholdError('NOT_FOUND', '农户不存在', 'householdId');
  if (!Number(h.ok)) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的评议员可以录入评定');
  throw new HouseholdError('BAD_REQUEST', '请从本村评分表中选择项目', 'itemId');
}

/** SQL: `assessorId` may decide on entry row `e` — an active 评议员 of its village, not of its household, not its entrant. */
function mayDecideSql(assessorId: number) {
  return sql`${holdsVillageRoleSql(sql`e.village_id`, assessorId, 'assessor')}
    AND NOT EXISTS (SELECT 1 FROM household_members own WHERE own.household_id = e.household_id AND own.user_id = ${assessorId})
    AND e.entered_by <> ${assessorId}`;
}

/** Why an approval or rejection matched nothing (read after the write, to word the refusal). */
async function decideProblem(db: Db, assessorId: number, entryId: number): Promise<HouseholdError> {
  const [e] = await db.all<Row>(sql`SELECT e.status, e.entered_by, ${holdsVillageRoleSql(sql`e.village_id`, assessorId, 'assessor')} AS assessor,
      EXISTS (SELECT 1 FROM household_members own WHERE own.household_id = e.household_id AND own.user_id = ${assessorId}) AS own,
      EXISTS (SELECT 1 FROM household_approvals a WHERE a.entry_id = e.id AND a.assessor_id = ${assessorId}) AS approved
    FROM household_entries e WHERE e.id = ${entryId}`);
  if (!e) return new HouseholdError('NOT_FOUND', '该条目不存在');
  if (!Number(e.assessor)) return new HouseholdError('FORBIDDEN', '只有本村（社区）的评议员可以评议');
  if (Number(e.own)) return new HouseholdError('FORBIDDEN', '这是您本户的条目，须由其他评议员评议');
  if (Number(e.entered_by) === assessorId) return new HouseholdError('FORBIDDEN', '您录入的条目须由另外两位评议员评议');
  if (Number(e.approved)) return new HouseholdError('CONFLICT', '您已同意过该条目，还需另一位评议员同意');
  return new HouseholdError('CONFLICT', `该条目${ENTRY_STATUS_LABELS[String(e.status)] ?? '已处理'}，不能再评议`);
}

/**
 * A 评议员 approves a pending entry: ONE guarded write. The guard inserts the approval only while the entry
 * is pending with fewer than two approvals, not by this person before, and the person may decide; the
 * follow-up counts the approvals and, at the second, moves the entry to approved on the month not yet on
 * 公示. Two 评议员 racing on an entry with one approval: the batches run one after the other, the second
 * finds it approved and matches nothing. Returns whether the entry is now approved.
 */
export async function approveEntry(db: Db, assessorId: number, entryId: number, now = Date.now()): Promise<{ approved: boolean }> {
  assertId(entryId, '条目');
  const cur = monthOf(now);
  let written;
  try {
    written = await guardedWrite(
      db,
      sql`INSERT INTO household_approvals (entry_id, assessor_id, created_at)
        SELECT e.id, ${assessorId}, ${now} FROM household_entries e
        WHERE e.id = ${entryId} AND e.status = 'pending' AND ${mayDecideSql(assessorId)}
          AND NOT EXISTS (SELECT 1 FROM household_approvals a WHERE a.entry_id = e.id AND a.assessor_id = ${assessorId})
          AND (SELECT count(*) FROM household_approvals a WHERE a.entry_id = e.id) < 2`,
      [
        sql`UPDATE household_entries SET approvals = approvals + 1,
            status = CASE WHEN approvals + 1 >= 2 THEN 'approved' ELSE status END,
            decided_at = CASE WHEN approvals + 1 >= 2 THEN ${now} ELSE decided_at END,
            month = CASE WHEN approvals + 1 < 2 THEN month
              WHEN EXISTS (SELECT 1 FROM village_months vm WHERE vm.village_id = household_entries.village_id AND vm.month = ${cur}) THEN ${nextMonth(cur)}
              ELSE ${cur} END
          WHERE id = ${entryId}`,
        auditStatement({ actorId: assessorId, action: 'household.entry.approve', targetType: 'household_entry', targetId: entryId, after: { approvedBy: assessorId } }),
        sql`SELECT status FROM household_entries WHERE id = ${entryId}`,
      ],
    );
  } catch (e) {
    if (String((e as Error).message).includes('APPROVALS_COMPLETE')) throw await decideProblem(db, assessorId, entryId);
    throw e;
  }
  if (!written) throw await decideProblem(db, assessorId, entryId);
  return { approved: written[3]?.rows[0]?.status === 'approved' };
}

/** A 评议员 turns down a pending entry with a written reason, audited. */
export async function rejectEntry(db: Db, assessorId: number, entryId: number, reason: string, now = Date.now()): Promise<void> {
  assertId(entryId, '条目');
  const r = reason.trim();
  if ([...r].length < 2 || [...r].length > 200) throw new HouseholdError('BAD_REQUEST', '请写明不通过的理由（2–200 字）', 'reason');
  const written = await guardedWrite(
    db,
    sql`UPDATE household_entries SET status = 'rejected', decided_at = ${now} WHERE id = ${entryId} AND status = 'pending' AND EXISTS (SELECT 1 FROM household_entries e WHERE e.id = household_entries.id AND ${mayDecideSql(assessorId)})`,
    [
      auditStatement({
        actorId: assessorId,
        action: 'household.entry.reject',
        targetType: 'household_entry',
        targetId: entryId,
        before: { status: 'pending' },
        after: { status: 'rejected', reason: r },
      }),
    ],
  );
  if (!written) throw await decideProblem(db, assessorId, entryId);
}

const ENTRY_COLUMNS = sql`e.*, h.number, h.head_name, h.name_consent`;

/** Entries waiting for this 评议员: in their villages, not their household's, not entered or approved by them. */
export async function pendingForAssessor(db: Db, assessorId: number, limit = 100): Promise<HouseholdEntry[]> {
  const rows = await db.all<Row>(sql`SELECT ${ENTRY_COLUMNS} FROM household_entries e JOIN households h ON h.id = e.household_id
    WHERE e.status = 'pending' AND ${mayDecideSql(assessorId)}
      AND NOT EXISTS (SELECT 1 FROM household_approvals a WHERE a.entry_id = e.id AND a.assessor_id = ${assessorId})
    ORDER BY e.id LIMIT ${limit}`);
  // 评议员 see the household they judge by its number and head's name: they are of the same village.
  return rows.map((r) => toEntry(r, false));
}

/** A household's entries, newest first (its own card: names unmasked). */
export async function entriesOfHousehold(db: Db, householdId: number, limit = 100): Promise<HouseholdEntry[]> {
  const rows = await db.all<Row>(sql`SELECT ${ENTRY_COLUMNS} FROM household_entries e JOIN households h ON h.id = e.household_id
    WHERE e.household_id = ${householdId} ORDER BY e.id DESC LIMIT ${limit}`);
  return rows.map((r) => toEntry(r, false));
}

/** A village's entries of a month in the given statuses, by household (names masked unless consented). */
export async function entriesOfMonth(db: Db, villageId: number, month: string, statuses: string[], masked = true): Promise<HouseholdEntry[]> {
  if (!/^\d{4}-\d{2}$/.test(month) || !statuses.length) return [];
  const rows = await db.all<Row>(sql`SELECT ${ENTRY_COLUMNS} FROM household_entries e JOIN households h ON h.id = e.household_id
    WHERE e.village_id = ${villageId} AND e.month = ${month} AND e.status IN ${statuses} ORDER BY h.number, e.id LIMIT 1000`);
  return rows.map((r) => toEntry(r, masked));
}
