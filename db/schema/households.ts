// Household 文明积分 (issue 21, docs/decisions/102): the 户 register of each 村, its scoring table, entries
// approved by two 评议员, the monthly 公示 and a household ledger that never mixes with volunteer points.
// The ledger is append-only and its balance is kept by triggers in db/sql/households.sql.
import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './common.ts';
import { users } from './accounts.ts';
import { regions } from './regions.ts';
import { shopOrders } from './points.ts';

/** Village-scoped staff: 村 clerks keep the register and the month, 评议员 approve entries. */
export const villageRoles = sqliteTable(
  'village_roles',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    villageId: integer('village_id')
      .notNull()
      .references(() => regions.id),
    /** clerk (村干部: register, scoring table, 公示) | assessor (评议员) */
    role: text('role').notNull(),
    grantedBy: integer('granted_by'),
    grantedAt: integer('granted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.villageId, t.role] }), index('village_roles_village').on(t.villageId, t.role)],
);

/** A village's household-points settings; a row appears when the village starts (its scoring table copied). */
export const villagePointsSettings = sqliteTable('village_points_settings', {
  villageId: integer('village_id')
    .primaryKey()
    .references(() => regions.id),
  /** Days a month's entries stay on 公示 before the month can be posted. */
  publicityDays: integer('publicity_days').notNull().default(7),
  /** A base score shown on the card that can never be spent (0 = none). */
  baseScore: integer('base_score').notNull().default(0),
  /** 1: on 1 January the spendable balance goes back to zero (the base stays), by a compensating entry. */
  annualReset: integer('annual_reset').notNull().default(0),
  /** The last year reset (so a reset runs once per year). */
  resetYear: integer('reset_year'),
  startedAt: integer('started_at').notNull(),
});

/** A 户 in a village's register. */
export const households = sqliteTable(
  'households',
  {
    id: integer('id').primaryKey(),
    villageId: integer('village_id')
      .notNull()
      .references(() => regions.id),
    /** The village's own number (户号), free text such as 3组-012. */
    number: text('number').notNull(),
    headName: text('head_name').notNull(),
    /** AES-256-GCM ciphertext of the household's phone (src/lib/pii.ts), or null. */
    phoneEnc: text('phone_enc'),
    /** The masked phone for lists. */
    phoneMasked: text('phone_masked'),
    /** The household agreed that its head's full name is shown on 公示 (otherwise 张*明户). */
    nameConsent: integer('name_consent').notNull().default(0),
    active: integer('active').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
  },
  (t) => [uniqueIndex('households_village_number').on(t.villageId, t.number), index('households_village').on(t.villageId, t.active)],
);

/** A member of a household; the elderly often have no account (userId null). An account is in at most one household. */
export const householdMembers = sqliteTable(
  'household_members',
  {
    id: integer('id').primaryKey(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id),
    name: text('name').notNull(),
    /** 户主 | 配偶 | 子女 | 父母 | 孙辈 | 其他 */
    relation: text('relation').notNull(),
    userId: integer('user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('household_members_user').on(t.userId), index('household_members_household').on(t.householdId)],
);

/** A scoring item: the county template (villageId null) or a village's own copy. */
export const scoringItems = sqliteTable(
  'scoring_items',
  {
    id: integer('id').primaryKey(),
    villageId: integer('village_id').references(() => regions.id),
    /** plus (加分项) | minus (扣分项) */
    direction: text('direction').notNull(),
    /** 遵纪守法 | 移风易俗 | 环境卫生 | 孝老爱亲 | 邻里和睦 | 志愿服务 | 公益美德 */
    category: text('category').notNull(),
    title: text('title').notNull(),
    /** Points, always positive; the direction gives the sign. */
    points: integer('points').notNull(),
    active: integer('active').notNull().default(1),
    sort: integer('sort').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index('scoring_items_village').on(t.villageId, t.active, t.sort)],
);

/** An entry on a household's card: its own 申报 or a 评议小组 inspection, approved by two 评议员, then 公示 and posted. */
export const householdEntries = sqliteTable(
  'household_entries',
  {
    id: integer('id').primaryKey(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id),
    villageId: integer('village_id').notNull(),
    itemId: integer('item_id').references(() => scoringItems.id),
    /** The item as it read when entered (the table may change later). */
    title: text('title').notNull(),
    category: text('category').notNull(),
    /** Signed points: + for a 加分项, − for a 扣分项. */
    amount: integer('amount').notNull(),
    /** claim (household 申报) | inspection (评议小组) */
    source: text('source').notNull(),
    enteredBy: integer('entered_by').notNull(),
    /** What happened (a deduction's written reason). */
    note: text('note').notNull().default(''),
    /** A private photo (private_files.id) for a 申报. */
    photoFileId: integer('photo_file_id'),
    /** The Beijing month the entry counts in, YYYY-MM. */
    month: text('month').notNull(),
    /** pending | approved | held (objection) | posted | rejected */
    status: text('status').notNull().default('pending'),
    approvals: integer('approvals').notNull().default(0),
    decidedAt: integer('decided_at'),
    postedAt: integer('posted_at'),
    createdAt: createdAt(),
  },
  (t) => [index('household_entries_household').on(t.householdId, t.id), index('household_entries_village_month').on(t.villageId, t.month, t.status)],
);

/** One 评议员's approval of an entry (at most one each, at most two in all: db/sql/households.sql). */
export const householdApprovals = sqliteTable(
  'household_approvals',
  {
    entryId: integer('entry_id')
      .notNull()
      .references(() => householdEntries.id),
    assessorId: integer('assessor_id')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.assessorId] })],
);

/** A village's month: on 公示 from opensAt to endsAt, then posted. */
export const villageMonths = sqliteTable(
  'village_months',
  {
    villageId: integer('village_id').notNull(),
    month: text('month').notNull(),
    /** publicity | posted */
    status: text('status').notNull().default('publicity'),
    opensAt: integer('opens_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    postedAt: integer('posted_at'),
  },
  (t) => [primaryKey({ columns: [t.villageId, t.month] })],
);

/** An objection to an entry on 公示: it holds the entry until the village resolves it. */
export const householdObjections = sqliteTable(
  'household_objections',
  {
    id: integer('id').primaryKey(),
    entryId: integer('entry_id')
      .notNull()
      .references(() => householdEntries.id),
    reason: text('reason').notNull(),
    /** Masked for staff; the full number only as ciphertext. */
    phoneMasked: text('phone_masked'),
    phoneEnc: text('phone_enc'),
    ipHash: text('ip_hash'),
    /** open | upheld (entry rejected) | dismissed (entry back to approved) */
    status: text('status').notNull().default('open'),
    resolvedBy: integer('resolved_by'),
    resolvedAt: integer('resolved_at'),
    createdAt: createdAt(),
  },
  (t) => [index('household_objections_entry').on(t.entryId, t.status)],
);

/** Every change of a household's spendable points. Never updated or deleted; a separate ledger from volunteer points. */
export const householdPointsEntries = sqliteTable(
  'household_points_entries',
  {
    id: integer('id').primaryKey(),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id),
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    /** entry (a posted entry) | shop_order | reset (annual) */
    sourceType: text('source_type').notNull(),
    sourceId: integer('source_id'),
    createdAt: createdAt(),
  },
  (t) => [index('household_points_entries_household').on(t.householdId, t.id), index('household_points_entries_source').on(t.sourceType, t.sourceId)],
);

/** The spendable balance per household: the sum of its ledger, kept by the ledger's insert trigger. */
export const householdPointsBalances = sqliteTable('household_points_balances', {
  householdId: integer('household_id')
    .primaryKey()
    .references(() => households.id),
  balance: integer('balance').notNull().default(0),
});

/** A 积分超市 order paid with household points: which household's ledger it debits (shop_orders stays as it is). */
export const householdShopOrders = sqliteTable(
  'household_shop_orders',
  {
    orderId: integer('order_id')
      .primaryKey()
      .references(() => shopOrders.id),
    householdId: integer('household_id')
      .notNull()
      .references(() => households.id),
    itemId: integer('item_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('household_shop_orders_household').on(t.householdId, t.itemId, t.createdAt)],
);
