// The monthly 公示 and posting of household points (issue 21, docs/decisions/102). The clerk opens a month's
// 公示 for the village's number of days; anyone may object to an entry (reason, optional phone, rate-limited),
// which holds it until the clerk resolves it; after the period the clerk posts the month: its approved entries
// go into the household ledger in the same guarded write, and only posted points can be spent. On 1 January a
// village with the annual reset takes each spendable balance back to zero by a compensating entry.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { hitRateLimit } from '../accounts/rate-limit.ts';
import { encryptText, keyedHash, maskPhone } from '../../lib/pii.ts';
import { formatDate, fromShanghai, shanghaiDay } from '../../lib/time.ts';
import { HouseholdError, assertId } from './errors.ts';
import { keepsVillageSql } from './roles.ts';
import { entriesOfMonth, monthOf, type HouseholdEntry } from './entries.ts';
import { repeatEvery } from '../../lib/repeat.ts';

const DAY = 86_400_000;
type Row = Record<string, unknown>;

/** A village's month on 公示 or posted. */
export interface VillageMonth {
  villageId: number;
  month: string;
  status: 'publicity' | 'posted';
  opensAt: number;
  endsAt: number;
  postedAt: number | null;
}

function toMonth(r: Row): VillageMonth {
  return {
    villageId: Number(r.village_id),
    month: String(r.month),
    status: r.status === 'posted' ? 'posted' : 'publicity',
    opensAt: Number(r.opens_at),
    endsAt: Number(r.ends_at),
    postedAt: r.posted_at == null ? null : Number(r.posted_at),
  };
}

function checkMonth(month: string, now: number): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new HouseholdError('BAD_REQUEST', '请选择月份', 'month');
  if (month > monthOf(now)) throw new HouseholdError('BAD_REQUEST', '不能公示尚未到来的月份', 'month');
}

/** A village's months, newest first. */
export async function villageMonths(db: Db, villageId: number, limit = 24): Promise<VillageMonth[]> {
  const rows = await db.all<Row>(sql`SELECT * FROM village_months WHERE village_id = ${villageId} ORDER BY month DESC LIMIT ${limit}`);
  return rows.map(toMonth);
}

/**
 * Opens a month's 公示 for the village's number of days: one guarded INSERT (a month is opened once), only
 * when the month has approved entries and the village started. Entries approved from now on go to the next month.
 */
export async function openPublicity(db: Db, actorId: number, input: { villageId: number; month: string }, now = Date.now()): Promise<void> {
  assertId(input.villageId, '村（社区）', 'villageId');
  checkMonth(input.month, now);
  const written = await guardedWrite(
    db,
    sql`INSERT INTO village_months (village_id, month, status, opens_at, ends_at)
      SELECT s.village_id, ${input.month}, 'publicity', ${now}, ${now} + s.publicity_days * ${DAY} FROM village_points_settings s
      WHERE s.village_id = ${input.villageId} AND ${keepsVillageSql(input.villageId, actorId)}
        AND EXISTS (SELECT 1 FROM household_entries e WHERE e.village_id = s.village_id AND e.month = ${input.month} AND e.status = 'approved')
      ON CONFLICT DO NOTHING`,
    [auditStatement({ actorId, action: 'household.month.publicity', targetType: 'village', targetId: input.villageId, after: { month: input.month } })],
  );
  if (written) return;
  const [ok] = await db.all<{ ok: number }>(sql`SELECT ${keepsVillageSql(input.villageId, actorId)} AS ok`);
  if (!Number(ok?.ok)) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以发起公示');
  const [m] = await db.all<Row>(sql`SELECT status FROM village_months WHERE village_id = ${input.villageId} AND month = ${input.month}`);
  if (m) throw new HouseholdError('CONFLICT', m.status === 'posted' ? '该月积分已入账' : '该月已在公示中', 'month');
  throw new HouseholdError('CONFLICT', '该月没有已评议通过的条目，无需公示', 'month');
}

/**
 * Posts a month after its 公示 ended: ONE guarded write. The guard moves the month from publicity to posted
 * only once its end has passed; the follow-ups write each approved entry into the household ledger and mark
 * it posted (held entries wait for their objection; they post when it is dismissed). Returns the count posted.
 */
export async function postMonth(db: Db, actorId: number, input: { villageId: number; month: string }, now = Date.now()): Promise<number> {
  assertId(input.villageId, '村（社区）', 'villageId');
  checkMonth(input.month, now);
  const { villageId, month } = input;
  const written = await guardedWrite(
    db,
    sql`UPDATE village_months SET status = 'posted', posted_at = ${now}
      WHERE village_id = ${villageId} AND month = ${month} AND status = 'publicity' AND ends_at <= ${now} AND ${keepsVillageSql(villageId, actorId)}`,
    [
      sql`INSERT INTO household_points_entries (household_id, amount, reason, source_type, source_id, created_at)
        SELECT e.household_id, e.amount, ${`${month} 公示入账：`} || e.title, 'entry', e.id, ${now}
        FROM household_entries e WHERE e.village_id = ${villageId} AND e.month = ${month} AND e.status = 'approved' ORDER BY e.id RETURNING id`,
      sql`UPDATE household_entries SET status = 'posted', posted_at = ${now} WHERE village_id = ${villageId} AND month = ${month} AND status = 'approved'`,
      auditStatement({ actorId, action: 'household.month.post', targetType: 'village', targetId: villageId, after: { month } }),
    ],
  );
  // The entries written, by RETURNING (rowsAffected also counts trigger writes on a libSQL server).
  if (written) return written[1]?.rows.length ?? 0;
  const [ok] = await db.all<{ ok: number }>(sql`SELECT ${keepsVillageSql(villageId, actorId)} AS ok`);
  if (!Number(ok?.ok)) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以确认入账');
  const [m] = await db.all<Row>(sql`SELECT status, ends_at FROM village_months WHERE village_id = ${villageId} AND month = ${month}`);
  if (!m) throw new HouseholdError('CONFLICT', '该月尚未公示，请先发起公示', 'month');
  if (m.status === 'posted') throw new HouseholdError('CONFLICT', '该月积分已入账', 'month');
  throw new HouseholdError('CONFLICT', `公示期至 ${formatDate(Number(m.ends_at))}，期满后才能入账`, 'month');
}

/**
 * Anyone objects to an entry on 公示 (reason, optional phone): the entry is held until the clerk resolves
 * it. Rate-limited per IP (the IP kept only as a keyed hash, the phone as ciphertext and a mask).
 */
export async function objectToEntry(db: Db, secretKey: Buffer, input: { entryId: number; reason: string; phone?: string; ip: string }, now = Date.now()): Promise<void> {
  assertId(input.entryId, '条目', 'entryId');
  const reason = input.reason.trim();
  if ([...reason].length < 5 || [...reason].length > 300) throw new HouseholdError('BAD_REQUEST', '请写明异议的事实和理由（5–300 字）', 'reason');
  const phone = (input.phone ?? '').replace(/[\s-]+/g, '');
  if (phone && !/^1\d{10}$/.test(phone)) throw new HouseholdError('BAD_REQUEST', '请填写 11 位手机号，或不填', 'phone');
  const ipHash = keyedHash(secretKey, input.ip, 'household-objection-ip');
  const limit = await hitRateLimit(db, `household-objection:${ipHash}`, 5, DAY, now);
  if (!limit.allowed) throw new HouseholdError('TOO_MANY_REQUESTS', '今天提交的异议已达上限，请明天再试或直接联系村委会');
  const written = await guardedWrite(
    db,
    sql`UPDATE household_entries SET status = 'held'
      WHERE id = ${input.entryId} AND status IN ('approved', 'held')
        AND EXISTS (SELECT 1 FROM village_months vm WHERE vm.village_id = household_entries.village_id AND vm.month = household_entries.month
          AND vm.status = 'publicity' AND vm.ends_at > ${now})`,
    [
      sql`INSERT INTO household_objections (entry_id, reason, phone_masked, phone_enc, ip_hash, status, created_at)
        VALUES (${input.entryId}, ${reason}, ${phone ? maskPhone(phone) : null}, ${phone ? encryptText(secretKey, phone) : null}, ${ipHash}, 'open', ${now})`,
      auditStatement({ action: 'household.objection', targetType: 'household_entry', targetId: input.entryId, after: { status: 'held' } }),
    ],
  );
  if (!written) throw new HouseholdError('CONFLICT', '该条目不在公示期内，不能提出异议', 'entryId');
}

/** An open objection as the clerk sees it (phone masked). */
export interface Objection {
  id: number;
  entryId: number;
  householdName: string;
  title: string;
  amount: number;
  reason: string;
  phoneMasked: string;
  createdAt: number;
}

/** A village's open objections, oldest first. */
export async function openObjections(db: Db, villageId: number): Promise<Objection[]> {
  const rows = await db.all<Row>(sql`SELECT o.*, e.title, e.amount, h.head_name, h.number FROM household_objections o JOIN household_entries e ON e.id = o.entry_id
    JOIN households h ON h.id = e.household_id WHERE e.village_id = ${villageId} AND o.status = 'open' ORDER BY o.id LIMIT 200`);
  return rows.map((r) => ({
    id: Number(r.id),
    entryId: Number(r.entry_id),
    householdName: `${String(r.number)} ${String(r.head_name)}户`,
    title: String(r.title),
    amount: Number(r.amount),
    reason: String(r.reason),
    phoneMasked: String(r.phone_masked ?? ''),
    createdAt: Number(r.created_at),
  }));
}

/**
 * The clerk resolves an objection: upheld — the entry is rejected; dismissed — the entry goes back to approved
 * (or straight into the ledger when its month was posted meanwhile), once no other objection to it is open.
 * One guarded write; the ledger entry is written only by the statement that posts it.
 */
export async function resolveObjection(db: Db, actorId: number, input: { objectionId: number; upheld: boolean; note: string }, now = Date.now()): Promise<void> {
  assertId(input.objectionId, '异议');
  const note = input.note.trim();
  if ([...note].length < 2 || [...note].length > 200) throw new HouseholdError('BAD_REQUEST', '请写明处理意见（2–200 字）', 'note');
  const entryOf = sql`(SELECT entry_id FROM household_objections WHERE id = ${input.objectionId})`;
  const posted = sql`EXISTS (SELECT 1 FROM village_months vm WHERE vm.village_id = household_entries.village_id AND vm.month = household_entries.month AND vm.status = 'posted')`;
  const others = sql`EXISTS (SELECT 1 FROM household_objections o WHERE o.entry_id = household_entries.id AND o.status = 'open')`;
  const written = await guardedWrite(
    db,
    sql`UPDATE household_objections SET status = ${input.upheld ? 'upheld' : 'dismissed'}, resolved_by = ${actorId}, resolved_at = ${now}
      WHERE id = ${input.objectionId} AND status = 'open'
        AND EXISTS (SELECT 1 FROM household_entries e WHERE e.id = household_objections.entry_id AND ${keepsVillageSql(sql`e.village_id`, actorId)})`,
    input.upheld
      ? [
          sql`UPDATE household_entries SET status = 'rejected', decided_at = ${now} WHERE id = ${entryOf} AND status = 'held'`,
          auditStatement({ actorId, action: 'household.objection.resolve', targetType: 'household_entry', targetId: entryOf, after: { upheld: true, note } }),
        ]
      : [
          sql`UPDATE household_entries SET status = CASE WHEN ${posted} THEN 'posted' ELSE 'approved' END, posted_at = CASE WHEN ${posted} THEN ${now} ELSE posted_at END
            WHERE id = ${entryOf} AND status = 'held' AND NOT ${others}`,
          sql`INSERT INTO household_points_entries (household_id, amount, reason, source_type, source_id, created_at)
            SELECT household_id, amount, month || ' 公示入账：' || title, 'entry', id, ${now} FROM household_entries
            WHERE id = ${entryOf} AND status = 'posted' AND posted_at = ${now}
              AND NOT EXISTS (SELECT 1 FROM household_points_entries p WHERE p.source_type = 'entry' AND p.source_id = household_entries.id)`,
          auditStatement({ actorId, action: 'household.objection.resolve', targetType: 'household_entry', targetId: entryOf, after: { upheld: false, note } }),
        ],
  );
  if (written) return;
  const [o] = await db.all<Row>(
    sql`SELECT o.status, ${keepsVillageSql(sql`e.village_id`, actorId)} AS ok FROM household_objections o JOIN household_entries e ON e.id = o.entry_id WHERE o.id = ${input.objectionId}`,
  );
  if (!o) throw new HouseholdError('NOT_FOUND', '异议不存在');
  if (!Number(o.ok)) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以处理异议');
  throw new HouseholdError('CONFLICT', '该异议已处理');
}

/**
 * The annual reset of every village that chose it, once per year, from 1 January (Beijing): a guarded
 * UPDATE claims the year for the village, and in the same write each household's non-zero spendable balance
 * is taken back to zero by a compensating entry (the base score is not in the ledger: it stays). Safe to run
 * from every process; returns the villages reset.
 */
export async function runAnnualResets(db: Db, now = Date.now()): Promise<number> {
  const year = Number(shanghaiDay(now).slice(0, 4));
  if (now < fromShanghai(`${year}-01-01`)) return 0;
  const due = await db.all<{ village_id: number }>(sql`SELECT village_id FROM village_points_settings
    WHERE annual_reset = 1 AND coalesce(reset_year, 0) < ${year} AND started_at < ${fromShanghai(`${year}-01-01`)} LIMIT 500`);
  let n = 0;
  for (const { village_id: villageId } of due) {
    const written = await guardedWrite(db, sql`UPDATE village_points_settings SET reset_year = ${year} WHERE village_id = ${villageId} AND annual_reset = 1 AND coalesce(reset_year, 0) < ${year}`, [
      sql`INSERT INTO household_points_entries (household_id, amount, reason, source_type, source_id, created_at)
          SELECT b.household_id, -b.balance, ${`${year} 年度积分清零（基础分保留）`}, 'reset', ${year}, ${now}
          FROM household_points_balances b JOIN households h ON h.id = b.household_id WHERE h.village_id = ${villageId} AND b.balance <> 0`,
      auditStatement({ action: 'household.village.reset', targetType: 'village', targetId: villageId, after: { year } }),
    ]);
    if (written) n++;
  }
  return n;
}

/** One village's public 公示 of a month: its state and the entries on it by household (names masked unless consented). */
export interface Publicity {
  villageId: number;
  villageName: string;
  townName: string;
  month: VillageMonth;
  entries: HouseholdEntry[];
}

/** The 公示 of a village's month for the public page, or null when the month was never opened. */
export async function publicity(db: Db, villageId: number, month: string): Promise<Publicity | null> {
  const [r] = await db.all<Row>(sql`SELECT vm.*, v.name AS village_name, coalesce(t.name, '') AS town_name FROM village_months vm JOIN regions v ON v.id = vm.village_id
    LEFT JOIN regions t ON t.id = v.parent_id WHERE vm.village_id = ${villageId} AND vm.month = ${month}`);
  if (!r) return null;
  const m = toMonth(r);
  const entries = await entriesOfMonth(db, villageId, month, m.status === 'posted' ? ['posted'] : ['approved', 'held', 'posted']);
  return { villageId, villageName: String(r.village_name), townName: String(r.town_name), month: m, entries };
}

/** The 公示 open or recent across the county, newest first (the public index). */
export async function recentPublicity(db: Db, limit = 60): Promise<(VillageMonth & { villageName: string; townName: string; code: string; entries: number })[]> {
  const rows = await db.all<Row>(sql`SELECT vm.*, v.name AS village_name, v.code, coalesce(t.name, '') AS town_name,
      (SELECT count(*) FROM household_entries e WHERE e.village_id = vm.village_id AND e.month = vm.month AND e.status IN ('approved', 'held', 'posted')) AS entries
    FROM village_months vm JOIN regions v ON v.id = vm.village_id LEFT JOIN regions t ON t.id = v.parent_id ORDER BY vm.opens_at DESC LIMIT ${limit}`);
  return rows.map((r) => ({ ...toMonth(r), villageName: String(r.village_name), townName: String(r.town_name), code: String(r.code), entries: Number(r.entries) }));
}

/** A village by its region code, for the public 公示 page, or null. */
export async function villageByCode(db: Db, code: string): Promise<{ id: number; name: string; townName: string } | null> {
  if (!/^\d{1,20}$/.test(code)) return null;
  const [r] = await db.all<Row>(sql`SELECT v.id, v.name, coalesce(t.name, '') AS town FROM regions v LEFT JOIN regions t ON t.id = v.parent_id WHERE v.code = ${code} AND v.level = 'village'`);
  return r ? { id: Number(r.id), name: String(r.name), townName: String(r.town) } : null;
}

/** Runs `runAnnualResets` every `everyMs` (each village-year is claimed by one guarded UPDATE: safe with several processes). */
export function startAnnualResetTimer(getDb: () => Promise<Db>, everyMs = 60 * 60_000): () => void {
  return repeatEvery(['户积分年度清零', 'household annual reset'], everyMs, async () => runAnnualResets(await getDb()));
}
