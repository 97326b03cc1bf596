// 文明积分: the volunteer points ledger and the 积分超市 (issue 21, docs/decisions/095). The ledger is
// append-only and the balance row is kept by triggers in db/sql/points.sql; redemptions are guarded writes.
import { sqliteTable, integer, text, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './common.ts';
import { users } from './accounts.ts';

/** Every change of a person's points: earned (+) or spent/reversed (−). Never updated or deleted. */
export const pointsEntries = sqliteTable(
  'points_entries',
  {
    id: integer('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** volunteer (志愿积分). Kinds never mix: a shop item accepts one kind. */
    kind: text('kind').notNull().default('volunteer'),
    /** Points, positive when earned, negative when spent or reversed. */
    amount: integer('amount').notNull(),
    /** What the person reads on /me/points. */
    reason: text('reason').notNull(),
    /** hour_record | shop_order | grant */
    sourceType: text('source_type').notNull(),
    sourceId: integer('source_id'),
    createdAt: createdAt(),
  },
  (t) => [index('points_entries_user').on(t.userId, t.kind, t.id), index('points_entries_source').on(t.sourceType, t.sourceId)],
);

/** The balance per person and kind: the sum of the ledger, kept by the ledger's insert trigger. */
export const pointsBalances = sqliteTable(
  'points_balances',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind').notNull(),
    balance: integer('balance').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/** A 积分超市 (爱心超市): run by the county, a 乡镇 or a 村. */
export const shops = sqliteTable('shops', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  /** county | town | village */
  level: text('level').notNull().default('county'),
  address: text('address').notNull().default(''),
  /** Opening hours as the shop words them (每周六 9:00–11:30). */
  openHours: text('open_hours').notNull().default(''),
  /** Days a reserved order waits for pickup before it is cancelled and refunded. */
  pickupDays: integer('pickup_days').notNull().default(14),
  active: integer('active').notNull().default(1),
  createdAt: createdAt(),
});

/** An item in a shop's catalogue. */
export const shopItems = sqliteTable(
  'shop_items',
  {
    id: integer('id').primaryKey(),
    shopId: integer('shop_id')
      .notNull()
      .references(() => shops.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Which kind of points it accepts. */
    kind: text('kind').notNull().default('volunteer'),
    price: integer('price').notNull(),
    stock: integer('stock').notNull().default(0),
    /** Per person per calendar month (Beijing time); 0 = no limit. */
    monthlyLimit: integer('monthly_limit').notNull().default(0),
    /** Per 户 per calendar month, for household 文明积分 items; 0 = no limit. */
    householdMonthlyLimit: integer('household_monthly_limit').notNull().default(0),
    /** The item's picture: a library image (media), public while the item is on an open shop's shelf. */
    photoMediaId: integer('photo_media_id'),
    /** Who donated the goods, thanked on the shop page. */
    donor: text('donor'),
    active: integer('active').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index('shop_items_shop').on(t.shopId, t.active)],
);

/** A redemption: points spent, goods reserved until picked up with the code. */
export const shopOrders = sqliteTable(
  'shop_orders',
  {
    id: integer('id').primaryKey(),
    /** The pickup code (8 digits), unique: the batch names its order by it. */
    code: text('code').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    itemId: integer('item_id')
      .notNull()
      .references(() => shopItems.id),
    shopId: integer('shop_id')
      .notNull()
      .references(() => shops.id),
    kind: text('kind').notNull(),
    price: integer('price').notNull(),
    /** reserved | collected | cancelled | expired */
    status: text('status').notNull().default('reserved'),
    expiresAt: integer('expires_at').notNull(),
    collectedAt: integer('collected_at'),
    collectedBy: integer('collected_by'),
    closedAt: integer('closed_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('shop_orders_code').on(t.code), index('shop_orders_user').on(t.userId, t.itemId, t.createdAt), index('shop_orders_status').on(t.status, t.expiresAt)],
);

/** 超市管理员 per shop (docs/decisions/103): who hands over this shop's orders and keeps its catalogue. */
export const shopManagers = sqliteTable(
  'shop_managers',
  {
    shopId: integer('shop_id')
      .notNull()
      .references(() => shops.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    grantedBy: integer('granted_by'),
    grantedAt: integer('granted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.userId] }), index('shop_managers_user').on(t.userId)],
);

/** Every change of an item's stock other than orders: 入库 (purchase or donation) and 盘点 corrections. Append-only. */
export const shopStockMovements = sqliteTable(
  'shop_stock_movements',
  {
    id: integer('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => shopItems.id),
    /** Units in (+) or out (−). */
    change: integer('change').notNull(),
    /** initial | purchase | donation | count */
    kind: text('kind').notNull(),
    /** The donor of a donation, thanked on the shop page. */
    donor: text('donor'),
    /** The thank-you line shown with the donor (作为 …). */
    thanks: text('thanks'),
    /** Why a 盘点 correction was made (required for those). */
    reason: text('reason'),
    actorId: integer('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [index('shop_stock_movements_item').on(t.itemId, t.id)],
);

/**
 * A grant of points for a named event (上榜好人榜, a 五星 rating): one row per source and person, so a grant
 * happens once; `status` says whether it stands or was reversed. Its ledger entries name the grant.
 */
export const pointsGrants = sqliteTable(
  'points_grants',
  {
    id: integer('id').primaryKey(),
    /** honoree | order_rating */
    sourceType: text('source_type').notNull(),
    sourceId: integer('source_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind').notNull().default('volunteer'),
    amount: integer('amount').notNull(),
    /** granted | reversed */
    status: text('status').notNull().default('granted'),
    createdAt: createdAt(),
    reversedAt: integer('reversed_at'),
  },
  (t) => [uniqueIndex('points_grants_source').on(t.sourceType, t.sourceId, t.userId)],
);
