// The 户 register of a village (issue 21, docs/decisions/102): households with their head, members (with or
// without an account), a phone kept as ciphertext and shown masked, and the household's consent to show its
// name on 公示. Kept by the village's clerk; every change is one guarded write with its audit row.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { audit, auditStatement } from '../audit/index.ts';
import { hitRateLimit, rateKeyForId } from '../accounts/rate-limit.ts';
import { decryptText, encryptText, maskName, maskPhone } from '../../lib/pii.ts';
import { HouseholdError, assertId } from './errors.ts';
import { keepsVillageSql } from './roles.ts';

type Row = Record<string, unknown>;

/** The relations a member may have to the head of household. */
export const RELATIONS = ['户主', '配偶', '子女', '父母', '孙辈', '兄弟姐妹', '其他'] as const;

/** A household as the register lists it (phone masked). */
export interface Household {
  id: number;
  villageId: number;
  villageName: string;
  number: string;
  headName: string;
  phoneMasked: string;
  nameConsent: boolean;
  active: boolean;
  balance: number;
  members: HouseholdMember[];
}

/** A member of a household. */
export interface HouseholdMember {
  id: number;
  name: string;
  relation: string;
  userId: number | null;
  /** The linked account's masked phone, to tell accounts apart. */
  accountPhone: string;
}

/** What a new or edited household needs (validated by the Action's schema; checked again here). */
export interface HouseholdInput {
  villageId: number;
  number: string;
  headName: string;
  phone?: string;
  nameConsent: boolean;
}

/** How a household is named in public: the head's name masked (张*明户) unless the household agreed. */
export function publicHouseholdName(headName: string, consent: boolean): string {
  return `${consent ? headName : maskName(headName)}户`;
}

function checkPhone(phone: string | undefined): string | null {
  const p = (phone ?? '').replace(/[\s-]+/g, '');
  if (!p) return null;
  if (!/^1\d{10}$/.test(p) && !/^0\d{9,11}$/.test(p)) throw new HouseholdError('BAD_REQUEST', '请填写 11 位手机号或带区号的固定电话', 'phone');
  return p;
}

function checkText(value: string, field: string, label: string, max: number): string {
  const v = value.trim();
  if (!v) throw new HouseholdError('BAD_REQUEST', `请填写${label}`, field);
  if ([...v].length > max) throw new HouseholdError('BAD_REQUEST', `${label}不超过 ${max} 字`, field);
  return v;
}

/** Adds a household to a village's register (its head as the first member); returns its id. */
export async function addHousehold(db: Db, secretKey: Buffer, actorId: number, input: HouseholdInput, now = Date.now()): Promise<number> {
  assertId(input.villageId, '村（社区）', 'villageId');
  const number = checkText(input.number, 'number', '户号', 20);
  const headName = checkText(input.headName, 'headName', '户主姓名', 20);
  const phone = checkPhone(input.phone);
  const consent = input.nameConsent ? 1 : 0;
  let written;
  try {
    written = await guardedWrite(
      db,
      sql`INSERT INTO households (village_id, number, head_name, phone_enc, phone_masked, name_consent, created_at)
        SELECT v.id, ${number}, ${headName}, ${phone ? encryptText(secretKey, phone) : null}, ${phone ? maskPhone(phone) : null}, ${consent}, ${now}
        FROM regions v WHERE v.id = ${input.villageId} AND v.level = 'village' AND ${keepsVillageSql(input.villageId, actorId)}`,
      [
        sql`INSERT INTO household_members (household_id, name, relation, created_at)
          SELECT id, ${headName}, '户主', ${now} FROM households WHERE village_id = ${input.villageId} AND number = ${number}`,
        auditStatement({
          actorId,
          action: 'household.add',
          targetType: 'household',
          targetId: sql`SELECT id FROM households WHERE village_id = ${input.villageId} AND number = ${number}`,
          after: { villageId: input.villageId, number, headName: maskName(headName), phone: phone ? maskPhone(phone) : null, nameConsent: consent === 1 },
        }),
        sql`SELECT id FROM households WHERE village_id = ${input.villageId} AND number = ${number}`,
      ],
    );
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new HouseholdError('CONFLICT', `本村已有户号“${number}”，请换一个`, 'number');
    throw e;
  }
  if (!written) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以登记农户', 'villageId');
  return Number(written[3]?.rows[0]?.id);
}

/** Edits a household's number, head, phone (left as it is when empty) and consent, audited. */
export async function updateHousehold(db: Db, secretKey: Buffer, actorId: number, householdId: number, input: Omit<HouseholdInput, 'villageId'>, now = Date.now()): Promise<void> {
  assertId(householdId, '农户');
  const number = checkText(input.number, 'number', '户号', 20);
  const headName = checkText(input.headName, 'headName', '户主姓名', 20);
  const phone = checkPhone(input.phone);
  const consent = input.nameConsent ? 1 : 0;
  const [before] = await db.all<Row>(sql`SELECT number, head_name, phone_masked, name_consent FROM households WHERE id = ${householdId}`);
  let written;
  try {
    written = await guardedWrite(
      db,
      sql`UPDATE households SET number = ${number}, head_name = ${headName}, name_consent = ${consent}, updated_at = ${now},
          phone_enc = coalesce(${phone ? encryptText(secretKey, phone) : null}, phone_enc), phone_masked = coalesce(${phone ? maskPhone(phone) : null}, phone_masked)
        WHERE id = ${householdId} AND ${keepsVillageSql(sql`households.village_id`, actorId)}`,
      [
        auditStatement({
          actorId,
          action: 'household.update',
          targetType: 'household',
          targetId: householdId,
          before: before ? { number: before.number, headName: maskName(String(before.head_name)), phone: before.phone_masked, nameConsent: Number(before.name_consent) === 1 } : undefined,
          after: { number, headName: maskName(headName), phone: phone ? maskPhone(phone) : (before?.phone_masked ?? null), nameConsent: consent === 1 },
        }),
      ],
    );
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new HouseholdError('CONFLICT', `本村已有户号“${number}”，请换一个`, 'number');
    throw e;
  }
  if (!written) throw new HouseholdError(before ? 'FORBIDDEN' : 'NOT_FOUND', before ? '只有本村（社区）的积分管理员可以修改农户信息' : '农户不存在');
}

/**
 * Adds a member; `accountPhone` links the member to that account (an account belongs to one household at
 * most: the unique index says so). The elderly without an account are registered by name only.
 */
export async function addMember(db: Db, actorId: number, input: { householdId: number; name: string; relation: string; accountPhone?: string }, now = Date.now()): Promise<void> {
  assertId(input.householdId, '农户');
  const name = checkText(input.name, 'name', '成员姓名', 20);
  if (!(RELATIONS as readonly string[]).includes(input.relation)) throw new HouseholdError('BAD_REQUEST', '请选择与户主关系', 'relation');
  const phone = (input.accountPhone ?? '').replace(/\s+/g, '');
  let userId: number | null = null;
  if (phone) {
    const [u] = await db.all<{ id: number }>(sql`SELECT id FROM users WHERE phone = ${phone} AND status = 'active'`);
    if (!u) throw new HouseholdError('NOT_FOUND', '没有使用这个手机号的有效账户；没有账户的成员可不填', 'accountPhone');
    userId = Number(u.id);
  }
  let written;
  try {
    written = await guardedWrite(
      db,
      sql`INSERT INTO household_members (household_id, name, relation, user_id, created_at)
        SELECT h.id, ${name}, ${input.relation}, ${userId}, ${now} FROM households h WHERE h.id = ${input.householdId} AND ${keepsVillageSql(sql`h.village_id`, actorId)}`,
      [
        auditStatement({
          actorId,
          action: 'household.member.add',
          targetType: 'household',
          targetId: input.householdId,
          after: { name: maskName(name), relation: input.relation, userId },
        }),
      ],
    );
  } catch (e) {
    if (String((e as Error).message).includes('UNIQUE')) throw new HouseholdError('CONFLICT', '该账户已登记在另一户，请先从原户移出', 'accountPhone');
    throw e;
  }
  if (!written) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以登记家庭成员');
}

/** Removes a member (never the last one), audited. Their past entries stay on the household's card. */
export async function removeMember(db: Db, actorId: number, input: { householdId: number; memberId: number }): Promise<void> {
  assertId(input.householdId, '农户');
  assertId(input.memberId, '成员');
  const [m] = await db.all<Row>(sql`SELECT name, relation, user_id FROM household_members WHERE id = ${input.memberId} AND household_id = ${input.householdId}`);
  const written = await guardedWrite(
    db,
    sql`DELETE FROM household_members WHERE id = ${input.memberId} AND household_id = ${input.householdId}
      AND (SELECT count(*) FROM household_members o WHERE o.household_id = ${input.householdId}) > 1
      AND EXISTS (SELECT 1 FROM households h WHERE h.id = ${input.householdId} AND ${keepsVillageSql(sql`h.village_id`, actorId)})`,
    [
      auditStatement({
        actorId,
        action: 'household.member.remove',
        targetType: 'household',
        targetId: input.householdId,
        before: m ? { name: maskName(String(m.name)), relation: m.relation, userId: m.user_id } : undefined,
      }),
    ],
  );
  if (written) return;
  const [k] = await db.all<{ ok: number }>(sql`SELECT ${keepsVillageSql(sql`h.village_id`, actorId)} AS ok FROM households h WHERE h.id = ${input.householdId}`);
  if (k && !Number(k.ok)) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以移出家庭成员');
  if (!m) throw new HouseholdError('NOT_FOUND', '该成员不在此户');
  throw new HouseholdError('CONFLICT', '每户至少保留一名成员；如需注销农户请联系系统管理员');
}

function toHousehold(r: Row, members: HouseholdMember[]): Household {
  return {
    id: Number(r.id),
    villageId: Number(r.village_id),
    villageName: String(r.village_name ?? ''),
    number: String(r.number),
    headName: String(r.head_name),
    phoneMasked: String(r.phone_masked ?? ''),
    nameConsent: Number(r.name_consent) === 1,
    active: Number(r.active) === 1,
    balance: Number(r.balance ?? 0),
    members,
  };
}

async function membersOf(db: Db, ids: number[]): Promise<Map<number, HouseholdMember[]>> {
  const out = new Map<number, HouseholdMember[]>();
  if (!ids.length) return out;
  const rows = await db.all<Row>(sql`SELECT m.id, m.household_id, m.name, m.relation, m.user_id, u.phone FROM household_members m LEFT JOIN users u ON u.id = m.user_id
    WHERE m.household_id IN ${ids} ORDER BY m.household_id, CASE m.relation WHEN '户主' THEN 0 ELSE 1 END, m.id`);
  for (const r of rows) {
    const list = out.get(Number(r.household_id)) ?? [];
    list.push({
      id: Number(r.id),
      name: String(r.name),
      relation: String(r.relation),
      userId: r.user_id == null ? null : Number(r.user_id),
      accountPhone: maskPhone(r.phone == null ? '' : String(r.phone)),
    });
    out.set(Number(r.household_id), list);
  }
  return out;
}

/** A village's register, searched by 户号 or a member's name; 50 a page. */
export async function listHouseholds(db: Db, villageId: number, q = '', page = 1): Promise<{ rows: Household[]; total: number }> {
  const term = q.trim().slice(0, 20);
  const like = `%${term.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  const where = term
    ? sql`h.village_id = ${villageId} AND (h.number LIKE ${like} ESCAPE '\\' OR EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = h.id AND m.name LIKE ${like} ESCAPE '\\'))`
    : sql`h.village_id = ${villageId}`;
  const size = 50;
  const offset = (Math.max(1, Math.min(page, 1000)) - 1) * size;
  const [rows, [count]] = await Promise.all([
    db.all<Row>(sql`SELECT h.*, v.name AS village_name, coalesce(b.balance, 0) AS balance FROM households h JOIN regions v ON v.id = h.village_id
      LEFT JOIN household_points_balances b ON b.household_id = h.id WHERE ${where} ORDER BY h.number, h.id LIMIT ${size} OFFSET ${offset}`),
    db.all<{ n: number }>(sql`SELECT count(*) AS n FROM households h WHERE ${where}`),
  ]);
  const members = await membersOf(
    db,
    rows.map((r) => Number(r.id)),
  );
  return { rows: rows.map((r) => toHousehold(r, members.get(Number(r.id)) ?? [])), total: Number(count?.n ?? 0) };
}

/** One household with its members, or null. */
export async function getHousehold(db: Db, householdId: number): Promise<Household | null> {
  if (!Number.isSafeInteger(householdId) || householdId <= 0) return null;
  const [r] = await db.all<Row>(sql`SELECT h.*, v.name AS village_name, coalesce(b.balance, 0) AS balance FROM households h JOIN regions v ON v.id = h.village_id
    LEFT JOIN household_points_balances b ON b.household_id = h.id WHERE h.id = ${householdId}`);
  if (!r) return null;
  return toHousehold(r, (await membersOf(db, [householdId])).get(householdId) ?? []);
}

/** The household an account is a member of, or null. */
export async function householdOfUser(db: Db, userId: number): Promise<Household | null> {
  const [r] = await db.all<{ household_id: number }>(sql`SELECT household_id FROM household_members WHERE user_id = ${userId}`);
  return r ? getHousehold(db, Number(r.household_id)) : null;
}

/** The households of the given villages for a 评议员's inspection form (number and head), at most 1,000. */
export async function householdChoices(db: Db, villageIds: number[]): Promise<{ id: number; villageId: number; label: string }[]> {
  if (!villageIds.length) return [];
  const rows = await db.all<Row>(sql`SELECT id, village_id, number, head_name FROM households WHERE village_id IN ${villageIds} AND active = 1 ORDER BY village_id, number LIMIT 1000`);
  return rows.map((r) => ({ id: Number(r.id), villageId: Number(r.village_id), label: `${String(r.number)} ${String(r.head_name)}户` }));
}

/** Reveals a clerk may make per hour: enough to phone the households of a 公示, too few to copy a register. */
export const HOUSEHOLD_REVEALS_PER_HOUR = 30;

/**
 * A household's full phone for the clerk of its village who must call it back: a POST, rate-limited, and the
 * audit row written before the number is returned (the register shows it masked). Another village's household
 * is "not found".
 */
export async function revealHouseholdPhone(db: Db, secretKey: Buffer, actor: { id: number; ip?: string }, householdId: number, now = Date.now()): Promise<string> {
  assertId(householdId, '农户');
  const [h] = await db.all<Row>(sql`SELECT h.phone_enc FROM households h WHERE h.id = ${householdId} AND ${keepsVillageSql(sql`h.village_id`, actor.id)}`);
  if (!h) throw new HouseholdError('NOT_FOUND', '只能查看本村（社区）登记农户的号码');
  if (h.phone_enc == null) throw new HouseholdError('NOT_FOUND', '该户没有登记联系电话');
  const limit = await hitRateLimit(db, rateKeyForId('reveal:household', actor.id), HOUSEHOLD_REVEALS_PER_HOUR, 3600_000, now);
  if (!limit.allowed) throw new HouseholdError('TOO_MANY_REQUESTS', `一小时内最多查看 ${HOUSEHOLD_REVEALS_PER_HOUR} 个号码，请稍后再试`);
  const phone = decryptText(secretKey, String(h.phone_enc));
  await audit(db, { actorId: actor.id, action: 'household.reveal_phone', targetType: 'household', targetId: householdId, ip: actor.ip });
  return phone;
}
