-- Household 文明积分 invariants held by SQLite itself (issue 21, docs/decisions/102).
-- 1. household_points_entries is append-only: a mistake or an annual reset is a compensating entry.
-- 2. household_points_balances(household) always equals the sum of that household's entries.
-- 3. A redemption never takes a household's balance below zero (the redeem guard checks first; this is the last line).
-- 4. An entry has at most two approvals (the approve guard checks first; this is the last line).
-- 5. Kinds never mix: the volunteer ledger (points_entries) never takes a household-kind entry, and a household
--    order cancelled or expired is refunded to the household ledger, here, whatever path closed it.

DROP TRIGGER IF EXISTS household_points_no_update;
CREATE TRIGGER household_points_no_update
BEFORE UPDATE ON household_points_entries
BEGIN
  SELECT RAISE(ABORT, 'POINTS_APPEND_ONLY: 积分明细只能追加，不能修改');
END;

DROP TRIGGER IF EXISTS household_points_no_delete;
CREATE TRIGGER household_points_no_delete
BEFORE DELETE ON household_points_entries
BEGIN
  SELECT RAISE(ABORT, 'POINTS_APPEND_ONLY: 积分明细只能追加，不能删除');
END;

DROP TRIGGER IF EXISTS household_points_no_overdraw;
CREATE TRIGGER household_points_no_overdraw
BEFORE INSERT ON household_points_entries
WHEN NEW.amount < 0 AND NEW.source_type = 'shop_order'
BEGIN
  SELECT RAISE(ABORT, 'POINTS_OVERDRAWN: 积分余额不足')
  WHERE coalesce((SELECT balance FROM household_points_balances WHERE household_id = NEW.household_id), 0) + NEW.amount < 0;
END;

DROP TRIGGER IF EXISTS household_points_balance_keep;
CREATE TRIGGER household_points_balance_keep
AFTER INSERT ON household_points_entries
BEGIN
  INSERT INTO household_points_balances (household_id, balance) VALUES (NEW.household_id, NEW.amount)
    ON CONFLICT (household_id) DO UPDATE SET balance = balance + excluded.balance;
END;

DROP TRIGGER IF EXISTS household_approvals_at_most_two;
CREATE TRIGGER household_approvals_at_most_two
BEFORE INSERT ON household_approvals
BEGIN
  SELECT RAISE(ABORT, 'APPROVALS_COMPLETE: 该条目已有两位评议员同意')
  WHERE (SELECT count(*) FROM household_approvals WHERE entry_id = NEW.entry_id) >= 2;
END;

DROP TRIGGER IF EXISTS points_entries_volunteer_only;
CREATE TRIGGER points_entries_volunteer_only
BEFORE INSERT ON points_entries
WHEN NEW.kind = 'household'
BEGIN
  SELECT RAISE(ABORT, 'POINTS_KIND_MIXED: 户积分不记入个人志愿积分');
END;

DROP TRIGGER IF EXISTS household_order_refund;
CREATE TRIGGER household_order_refund
AFTER UPDATE OF status ON shop_orders
WHEN OLD.status = 'reserved' AND NEW.status IN ('cancelled', 'expired')
BEGIN
  INSERT INTO household_points_entries (household_id, amount, reason, source_type, source_id, created_at)
  SELECT h.household_id, NEW.price,
    CASE WHEN NEW.status = 'cancelled' THEN '取消兑换，退回积分：' ELSE '超期未领取，退回积分：' END || i.name,
    'shop_order', NEW.id, coalesce(NEW.closed_at, CAST(unixepoch('subsec') * 1000 AS INTEGER))
  FROM household_shop_orders h JOIN shop_items i ON i.id = NEW.item_id WHERE h.order_id = NEW.id;
END;

-- The public 公示 pages show entries, months and objections' effect.
DROP TRIGGER IF EXISTS cache_bump_household_entries_insert;
CREATE TRIGGER cache_bump_household_entries_insert AFTER INSERT ON household_entries BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_household_entries_update;
CREATE TRIGGER cache_bump_household_entries_update AFTER UPDATE ON household_entries BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_village_months_insert;
CREATE TRIGGER cache_bump_village_months_insert AFTER INSERT ON village_months BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_village_months_update;
CREATE TRIGGER cache_bump_village_months_update AFTER UPDATE ON village_months BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_households_update;
CREATE TRIGGER cache_bump_households_update AFTER UPDATE ON households BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
