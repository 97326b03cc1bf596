-- 文明积分 invariants held by SQLite itself (issue 21, docs/decisions/095).
-- 1. points_entries is append-only: a mistake is put right by a compensating entry.
-- 2. points_balances(user, kind) always equals the sum of that person's entries of that kind.
-- 3. A redemption never takes a balance below zero (the redeem write checks first; this is the last line).
-- 4. Confirmed service hours earn points at the county's rate (settings pointsPerHour, capped per record by
--    pointsCapPerRecord); when a confirmed record is declined, corrected or removed, exactly what it earned
--    is reversed and the new figure granted. Triggers, so every path that confirms hours is covered.
-- 5. Points for named events (docs/decisions/103): an honoree linked to an account earns settings pointsForHonor
--    when published on the roll, reversed when withdrawn; a 五星 rating of a service order earns pointsForFiveStar
--    for whoever delivered it. One points_grants row per source and person (unique), so a grant happens once;
--    its ledger entries name the grant, and a reversal is the compensating entry of the grant's net.

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

-- Amounts for named events; defaults mirror DEFAULT_SETTINGS (src/domain/settings/index.ts).
DROP VIEW IF EXISTS points_grant_rate;
CREATE VIEW points_grant_rate AS SELECT
  coalesce((SELECT CAST(json_extract(value, '$') AS INTEGER) FROM settings WHERE key = 'pointsForHonor'), 50) AS honor,
  coalesce((SELECT CAST(json_extract(value, '$') AS INTEGER) FROM settings WHERE key = 'pointsForFiveStar'), 10) AS five_star;

-- A grant's ledger entries: source_type 'grant', source_id the points_grants row. A grant is written as granted (or
-- re-granted after a reversal) by an upsert, then its entry only while the grant's net in the ledger is 0; a reversal
-- marks it reversed and writes minus its net. So replaying either step changes nothing.
DROP TRIGGER IF EXISTS points_grant_honoree;
CREATE TRIGGER points_grant_honoree
AFTER UPDATE OF status, user_id ON honorees
WHEN (OLD.status = 'published' OR NEW.status = 'published') AND (OLD.status IS NOT NEW.status OR OLD.user_id IS NOT NEW.user_id)
BEGIN
  -- Withdrawn (or relinked): reverse what the old account's grant holds.
  UPDATE points_grants SET status = 'reversed', reversed_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
    WHERE OLD.status = 'published' AND source_type = 'honoree' AND source_id = OLD.id AND user_id = OLD.user_id AND status = 'granted';
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT g.user_id, g.kind, -sum(e.amount), '好人榜撤榜，冲回积分', 'grant', g.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_grants g JOIN points_entries e ON e.source_type = 'grant' AND e.source_id = g.id
  WHERE OLD.status = 'published' AND g.source_type = 'honoree' AND g.source_id = OLD.id AND g.user_id = OLD.user_id AND g.status = 'reversed'
  GROUP BY g.id HAVING sum(e.amount) <> 0;
  INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, detail)
  SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER), NULL, 'points.grant.reverse', 'honoree', CAST(OLD.id AS TEXT), NULL, json_object('userId', OLD.user_id), '好人榜撤榜'
  WHERE OLD.status = 'published' AND OLD.user_id IS NOT NULL;
  -- Published with an account: grant once.
  INSERT INTO points_grants (source_type, source_id, user_id, kind, amount, status, created_at)
  SELECT 'honoree', NEW.id, NEW.user_id, 'volunteer', r.honor, 'granted', CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_grant_rate r JOIN users u ON u.id = NEW.user_id AND u.status = 'active'
  WHERE NEW.status = 'published' AND r.honor > 0
  ON CONFLICT (source_type, source_id, user_id) DO UPDATE SET status = 'granted', amount = excluded.amount, reversed_at = NULL WHERE points_grants.status = 'reversed';
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT g.user_id, g.kind, g.amount, '上榜好人榜', 'grant', g.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_grants g
  WHERE NEW.status = 'published' AND g.source_type = 'honoree' AND g.source_id = NEW.id AND g.user_id = NEW.user_id AND g.status = 'granted'
    AND coalesce((SELECT sum(e.amount) FROM points_entries e WHERE e.source_type = 'grant' AND e.source_id = g.id), 0) = 0;
  INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, detail)
  SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER), NULL, 'points.grant', 'honoree', CAST(NEW.id AS TEXT), NULL, json_object('userId', g.user_id, 'amount', g.amount), '上榜好人榜'
  FROM points_grants g WHERE NEW.status = 'published' AND g.source_type = 'honoree' AND g.source_id = NEW.id AND g.user_id = NEW.user_id AND g.status = 'granted';
END;

-- A 五星 rating: the points go to whoever delivered the order — the volunteer who claimed a 微心愿, else the team
-- leader who marked it done (the actor of its order.done audit row, written in the same batch as the change).
-- Until orders link to the events whose confirmed hours delivered them, nobody else is known to have served.
DROP VIEW IF EXISTS service_order_deliverer;
CREATE VIEW service_order_deliverer AS
SELECT o.id AS order_id, coalesce(o.claimed_by_user,
  (SELECT a.actor_id FROM audit_log a WHERE a.action = 'order.done' AND a.target_type = 'service_order' AND a.target_id = CAST(o.id AS TEXT) ORDER BY a.id DESC LIMIT 1)) AS user_id
FROM service_orders o;

DROP TRIGGER IF EXISTS points_grant_rating;
CREATE TRIGGER points_grant_rating
AFTER UPDATE OF rating ON service_orders
WHEN (OLD.rating IS 5 OR NEW.rating IS 5) AND OLD.rating IS NOT NEW.rating
BEGIN
  UPDATE points_grants SET status = 'reversed', reversed_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
    WHERE OLD.rating IS 5 AND source_type = 'order_rating' AND source_id = OLD.id AND status = 'granted';
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT g.user_id, g.kind, -sum(e.amount), '五星评价撤销，冲回积分', 'grant', g.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_grants g JOIN points_entries e ON e.source_type = 'grant' AND e.source_id = g.id
  WHERE OLD.rating IS 5 AND g.source_type = 'order_rating' AND g.source_id = OLD.id AND g.status = 'reversed'
  GROUP BY g.id HAVING sum(e.amount) <> 0;
  INSERT INTO points_grants (source_type, source_id, user_id, kind, amount, status, created_at)
  SELECT 'order_rating', NEW.id, d.user_id, 'volunteer', r.five_star, 'granted', CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM service_order_deliverer d JOIN users u ON u.id = d.user_id AND u.status = 'active' CROSS JOIN points_grant_rate r
  WHERE NEW.rating IS 5 AND d.order_id = NEW.id AND r.five_star > 0
  ON CONFLICT (source_type, source_id, user_id) DO UPDATE SET status = 'granted', amount = excluded.amount, reversed_at = NULL WHERE points_grants.status = 'reversed';
  INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
  SELECT g.user_id, g.kind, g.amount, '服务点单获群众五星评价', 'grant', g.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM points_grants g
  WHERE NEW.rating IS 5 AND g.source_type = 'order_rating' AND g.source_id = NEW.id AND g.status = 'granted'
    AND coalesce((SELECT sum(e.amount) FROM points_entries e WHERE e.source_type = 'grant' AND e.source_id = g.id), 0) = 0;
  INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, detail)
  SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER), NULL, CASE WHEN NEW.rating IS 5 THEN 'points.grant' ELSE 'points.grant.reverse' END, 'service_order', CAST(NEW.id AS TEXT),
    NULL, json_object('userId', g.user_id, 'amount', g.amount), '五星评价'
  FROM points_grants g WHERE g.source_type = 'order_rating' AND g.source_id = NEW.id;
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
