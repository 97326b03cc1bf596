-- 文明积分 invariants held by SQLite itself (issue 21, docs/decisions/095).
-- 1. points_entries is append-only: a mistake is put right by a compensating entry.
-- 2. points_balances(user, kind) always equals the sum of that person's entries of that kind.
-- 3. A redemption never takes a balance below zero (the redeem write checks first; this is the last line).
-- 4. Confirmed service hours earn points at the county's rate (settings pointsPerHour, capped per record by
--    pointsCapPerRecord); when a confirmed record is declined, corrected or removed, exactly what it earned
--    is reversed and the new figure granted. Triggers, so every path that confirms hours is covered.

DROP TRIGGER IF EXISTS points_entries_no_update;
CREATE TRIGGER points_entries_no_update
BEFORE UPDATE ON points_entries
BEGIN
  SELECT RAISE(ABORT, 'POINTS_APPEND_ONLY: 积分明细只能追加，不能修改');
END;

DROP TRIGGER IF EXISTS points_entries_no_delete;
CREATE TRIGGER points_entries_no_delete
BEFORE DELETE ON points_entries
BEGIN
  SELECT RAISE(ABORT, 'POINTS_APPEND_ONLY: 积分明细只能追加，不能删除');
END;

DROP TRIGGER IF EXISTS points_no_overdraw;
CREATE TRIGGER points_no_overdraw
BEFORE INSERT ON points_entries
WHEN NEW.amount < 0 AND NEW.source_type = 'shop_order'
BEGIN
  SELECT RAISE(ABORT, 'POINTS_OVERDRAWN: 积分余额不足')
  WHERE coalesce((SELECT balance FROM points_balances WHERE user_id = NEW.user_id AND kind = NEW.kind), 0) + NEW.amount < 0;
END;

DROP TRIGGER IF EXISTS points_balance_keep;
CREATE TRIGGER points_balance_keep
AFTER INSERT ON points_entries
BEGIN
  INSERT INTO points_balances (user_id, kind, balance) VALUES (NEW.user_id, NEW.kind, NEW.amount)
    ON CONFLICT (user_id, kind) DO UPDATE SET balance = balance + excluded.balance;
END;

-- What a confirmed record earns: minutes × rate / 60, rounded down, at most the cap. The defaults (10 分 an
-- hour, 100 a record) mirror DEFAULT_SETTINGS in src/domain/settings/index.ts.
DROP VIEW IF EXISTS points_rate;
CREATE VIEW points_rate AS SELECT
  coalesce((SELECT CAST(json_extract(value, '$') AS INTEGER) FROM settings WHERE key = 'pointsPerHour'), 10) AS per_hour,
  coalesce((SELECT CAST(json_extract(value, '$') AS INTEGER) FROM settings WHERE key = 'pointsCapPerRecord'), 100) AS cap;

DROP TRIGGER IF EXISTS points_hours_insert;
CREATE TRIGGER points_hours_insert
AFTER INSERT ON hour_records
WHEN NEW.status = 'confirmed'
BEGIN
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT NEW.user_id, 'volunteer', min(NEW.minutes * r.per_hour / 60, r.cap),
    '服务时长确认 ' || printf('%g', round(NEW.minutes / 6.0) / 10.0) || ' 小时', 'hour_record', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_rate r WHERE min(NEW.minutes * r.per_hour / 60, r.cap) > 0;
END;

DROP TRIGGER IF EXISTS points_hours_update;
CREATE TRIGGER points_hours_update
AFTER UPDATE OF status, minutes, user_id ON hour_records
WHEN (OLD.status = 'confirmed' OR NEW.status = 'confirmed')
  AND (OLD.status IS NOT NEW.status OR OLD.minutes <> NEW.minutes OR OLD.user_id <> NEW.user_id)
BEGIN
  -- Reverse what this record earned so far (its net, whatever the rate was then).
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT OLD.user_id, 'volunteer', -sum(e.amount),
    CASE WHEN NEW.status = 'confirmed' THEN '服务时长更正，冲回原积分' ELSE '服务时长撤销确认，冲回积分' END,
    'hour_record', OLD.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_entries e WHERE e.source_type = 'hour_record' AND e.source_id = OLD.id AND e.user_id = OLD.user_id AND e.kind = 'volunteer'
  HAVING coalesce(sum(e.amount), 0) <> 0;
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT NEW.user_id, 'volunteer', min(NEW.minutes * r.per_hour / 60, r.cap),
    '服务时长确认 ' || printf('%g', round(NEW.minutes / 6.0) / 10.0) || ' 小时', 'hour_record', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_rate r WHERE NEW.status = 'confirmed' AND min(NEW.minutes * r.per_hour / 60, r.cap) > 0;
END;

DROP TRIGGER IF EXISTS points_hours_delete;
CREATE TRIGGER points_hours_delete
AFTER DELETE ON hour_records
WHEN OLD.status = 'confirmed'
BEGIN
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT OLD.user_id, 'volunteer', -sum(e.amount), '服务记录删除，冲回积分', 'hour_record', OLD.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_entries e WHERE e.source_type = 'hour_record' AND e.source_id = OLD.id AND e.user_id = OLD.user_id AND e.kind = 'volunteer'
  HAVING coalesce(sum(e.amount), 0) <> 0;
END;

-- The public /shop page shows stock and prices.
DROP TRIGGER IF EXISTS cache_bump_shops_insert;
CREATE TRIGGER cache_bump_shops_insert AFTER INSERT ON shops BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_shops_update;
CREATE TRIGGER cache_bump_shops_update AFTER UPDATE ON shops BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_shop_items_insert;
CREATE TRIGGER cache_bump_shop_items_insert AFTER INSERT ON shop_items BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
DROP TRIGGER IF EXISTS cache_bump_shop_items_update;
CREATE TRIGGER cache_bump_shop_items_update AFTER UPDATE ON shop_items BEGIN UPDATE cache_versions SET version = version + 1 WHERE scope = 'public'; END;
