-- Precomputed aggregates for /stats and the home figures (issue 8): confirmed
-- service minutes per month (Asia/Shanghai), kept in step by triggers on
-- hour_records so reading them stays cheap at millions of records.
-- src/domain/stats/index.ts rebuildStats() recomputes them from scratch.
CREATE TABLE IF NOT EXISTS stats_hours_monthly (
  month TEXT PRIMARY KEY,
  minutes INTEGER NOT NULL DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0
);
DROP TRIGGER IF EXISTS stats_hours_ai;
CREATE TRIGGER stats_hours_ai AFTER INSERT ON hour_records WHEN NEW.status = 'confirmed' BEGIN
  INSERT INTO stats_hours_monthly (month, minutes, records) VALUES (strftime('%Y-%m', NEW.starts_at / 1000 + 28800, 'unixepoch'), NEW.minutes, 1)
  ON CONFLICT (month) DO UPDATE SET minutes = minutes + excluded.minutes, records = records + 1;
END;
DROP TRIGGER IF EXISTS stats_hours_ad;
CREATE TRIGGER stats_hours_ad AFTER DELETE ON hour_records WHEN OLD.status = 'confirmed' BEGIN
  UPDATE stats_hours_monthly SET minutes = minutes - OLD.minutes, records = records - 1
  WHERE month = strftime('%Y-%m', OLD.starts_at / 1000 + 28800, 'unixepoch');
END;
DROP TRIGGER IF EXISTS stats_hours_au;
CREATE TRIGGER stats_hours_au AFTER UPDATE OF status, minutes, starts_at ON hour_records
WHEN OLD.status = 'confirmed' OR NEW.status = 'confirmed' BEGIN
  UPDATE stats_hours_monthly SET minutes = minutes - OLD.minutes, records = records - 1
  WHERE OLD.status = 'confirmed' AND month = strftime('%Y-%m', OLD.starts_at / 1000 + 28800, 'unixepoch');
  INSERT INTO stats_hours_monthly (month, minutes, records)
  SELECT strftime('%Y-%m', NEW.starts_at / 1000 + 28800, 'unixepoch'), NEW.minutes, 1 WHERE NEW.status = 'confirmed'
  ON CONFLICT (month) DO UPDATE SET minutes = minutes + excluded.minutes, records = records + 1;
END;

-- The other figures of /stats and the home page (issue 22, docs/decisions/105): tables declared in
-- db/schema/stats.ts, filled once by migration 0026, kept here by triggers, each one subtracting what the
-- old row counted and adding what the new row counts. A request reads these small tables;
-- rebuildStats() recomputes them from the views below, which hold each definition once for a rebuild.

-- 注册志愿者 per town: an active account without a staff role (registeredVolunteerSql in
-- src/domain/stats/volunteers.ts; keep the two in step). town_id 0 = none.
DROP VIEW IF EXISTS stats_src_volunteer;
CREATE VIEW stats_src_volunteer AS SELECT u.id, coalesce(u.town_id, 0) AS town_id FROM users u
  WHERE u.status = 'active' AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('editor', 'reviewer', 'admin', 'shop_manager'));
DROP TRIGGER IF EXISTS stats_volunteers_ai;
CREATE TRIGGER stats_volunteers_ai AFTER INSERT ON users BEGIN
  INSERT INTO stats_volunteers_town (town_id, n) SELECT town_id, 1 FROM stats_src_volunteer WHERE id = NEW.id
  ON CONFLICT (town_id) DO UPDATE SET n = n + 1;
END;
DROP TRIGGER IF EXISTS stats_volunteers_au;
CREATE TRIGGER stats_volunteers_au AFTER UPDATE OF status, town_id ON users BEGIN
  UPDATE stats_volunteers_town SET n = n - 1 WHERE town_id = coalesce(OLD.town_id, 0) AND OLD.status = 'active'
    AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = OLD.id AND r.role IN ('editor', 'reviewer', 'admin', 'shop_manager'));
  INSERT INTO stats_volunteers_town (town_id, n) SELECT town_id, 1 FROM stats_src_volunteer WHERE id = NEW.id
  ON CONFLICT (town_id) DO UPDATE SET n = n + 1;
END;
DROP TRIGGER IF EXISTS stats_volunteers_ad;
CREATE TRIGGER stats_volunteers_ad AFTER DELETE ON users BEGIN
  UPDATE stats_volunteers_town SET n = n - 1 WHERE town_id = coalesce(OLD.town_id, 0) AND OLD.status = 'active'
    AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = OLD.id AND r.role IN ('editor', 'reviewer', 'admin', 'shop_manager'));
END;
-- A staff role granted: the account counted until now unless it already held another staff role.
DROP TRIGGER IF EXISTS stats_volunteers_role_ai;
CREATE TRIGGER stats_volunteers_role_ai AFTER INSERT ON user_roles WHEN NEW.role IN ('editor', 'reviewer', 'admin', 'shop_manager') BEGIN
  UPDATE stats_volunteers_town SET n = n - 1
  WHERE town_id = (SELECT coalesce(u.town_id, 0) FROM users u WHERE u.id = NEW.user_id AND u.status = 'active')
    AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = NEW.user_id AND r.role IN ('editor', 'reviewer', 'admin', 'shop_manager') AND r.role <> NEW.role);
END;
-- A staff role taken away: the account counts again if that was its last one.
DROP TRIGGER IF EXISTS stats_volunteers_role_ad;
CREATE TRIGGER stats_volunteers_role_ad AFTER DELETE ON user_roles WHEN OLD.role IN ('editor', 'reviewer', 'admin', 'shop_manager') BEGIN
  INSERT INTO stats_volunteers_town (town_id, n) SELECT town_id, 1 FROM stats_src_volunteer WHERE id = OLD.user_id
  ON CONFLICT (town_id) DO UPDATE SET n = n + 1;
END;
-- (Roles are granted and revoked, never updated in place: no UPDATE trigger on user_roles.)
DROP TRIGGER IF EXISTS stats_volunteers_role_au;

-- Public events (published or completed) per category.
DROP TRIGGER IF EXISTS stats_events_ai;
CREATE TRIGGER stats_events_ai AFTER INSERT ON events WHEN NEW.status IN ('published', 'completed') BEGIN
  INSERT INTO stats_events_category (category, n) VALUES (NEW.category, 1) ON CONFLICT (category) DO UPDATE SET n = n + 1;
END;
DROP TRIGGER IF EXISTS stats_events_au;
CREATE TRIGGER stats_events_au AFTER UPDATE OF status, category ON events
WHEN OLD.status IN ('published', 'completed') OR NEW.status IN ('published', 'completed') BEGIN
  UPDATE stats_events_category SET n = n - 1 WHERE category = OLD.category AND OLD.status IN ('published', 'completed');
  INSERT INTO stats_events_category (category, n) SELECT NEW.category, 1 WHERE NEW.status IN ('published', 'completed')
  ON CONFLICT (category) DO UPDATE SET n = n + 1;
END;
DROP TRIGGER IF EXISTS stats_events_ad;
CREATE TRIGGER stats_events_ad AFTER DELETE ON events WHEN OLD.status IN ('published', 'completed') BEGIN
  UPDATE stats_events_category SET n = n - 1 WHERE category = OLD.category;
END;

-- Published honorees per category and Beijing year of publication.
DROP TRIGGER IF EXISTS stats_honorees_ai;
CREATE TRIGGER stats_honorees_ai AFTER INSERT ON honorees WHEN NEW.status = 'published' BEGIN
  INSERT INTO stats_honorees (category, year, n) VALUES (NEW.category, strftime('%Y', coalesce(NEW.published_at, NEW.created_at) / 1000 + 28800, 'unixepoch'), 1)
  ON CONFLICT (category, year) DO UPDATE SET n = n + 1;
END;
DROP TRIGGER IF EXISTS stats_honorees_au;
CREATE TRIGGER stats_honorees_au AFTER UPDATE OF status, category, published_at, created_at ON honorees
WHEN OLD.status = 'published' OR NEW.status = 'published' BEGIN
  UPDATE stats_honorees SET n = n - 1
  WHERE OLD.status = 'published' AND category = OLD.category AND year = strftime('%Y', coalesce(OLD.published_at, OLD.created_at) / 1000 + 28800, 'unixepoch');
  INSERT INTO stats_honorees (category, year, n)
  SELECT NEW.category, strftime('%Y', coalesce(NEW.published_at, NEW.created_at) / 1000 + 28800, 'unixepoch'), 1 WHERE NEW.status = 'published'
  ON CONFLICT (category, year) DO UPDATE SET n = n + 1;
END;
DROP TRIGGER IF EXISTS stats_honorees_ad;
CREATE TRIGGER stats_honorees_ad AFTER DELETE ON honorees WHEN OLD.status = 'published' BEGIN
  UPDATE stats_honorees SET n = n - 1
  WHERE category = OLD.category AND year = strftime('%Y', coalesce(OLD.published_at, OLD.created_at) / 1000 + 28800, 'unixepoch');
END;


-- Volunteer points per month (src/domain/points/stats.ts pointsByMonth): the ledger is append-only (its own
-- triggers refuse an update or a delete), so an insert is the only change to count.
DROP TRIGGER IF EXISTS stats_points_monthly_ai;
CREATE TRIGGER stats_points_monthly_ai AFTER INSERT ON points_entries WHEN NEW.kind = 'volunteer' BEGIN
  INSERT INTO stats_points_monthly (month, issued, spent)
  VALUES (strftime('%Y-%m', (NEW.created_at + 28800000) / 1000, 'unixepoch'),
    CASE WHEN NEW.source_type IN ('hour_record', 'grant') THEN NEW.amount ELSE 0 END,
    CASE WHEN NEW.source_type = 'shop_order' THEN -NEW.amount ELSE 0 END)
  ON CONFLICT (month) DO UPDATE SET issued = issued + excluded.issued, spent = spent + excluded.spent;
END;

-- The settled 四单 figures per (乡镇, menu item, Beijing month placed) (docs/decisions/106). Each order is
-- judged against the deadlines stored on it (accept_by, finish_by: working days, computed in TypeScript when
-- it was placed), so a trigger can count it; orders still open and past a limit are counted live by
-- src/domain/orders/figures.ts. stats_src_order holds each definition once for rebuildStats; the triggers
-- repeat the same expressions for the OLD and the NEW row (keep them in step).
DROP VIEW IF EXISTS stats_src_order;
CREATE VIEW stats_src_order AS SELECT o.id, o.town_id, o.item_id,
    strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch') AS month,
    (o.accepted_at IS NOT NULL) AS accepted,
    coalesce(o.accepted_at <= o.accept_by, 0) AS accepted_on_time,
    (o.dispatched_at IS NOT NULL) AS dispatched,
    (o.dispatched_at IS NOT NULL AND o.done_at IS NOT NULL) AS done,
    coalesce(o.dispatched_at IS NOT NULL AND o.done_at <= o.finish_by, 0) AS done_on_time,
    (o.rating IS NOT NULL) AS rated,
    coalesce(o.rating >= 4, 0) AS satisfied
  FROM service_orders o;
DROP TRIGGER IF EXISTS stats_orders_ai;
CREATE TRIGGER stats_orders_ai AFTER INSERT ON service_orders BEGIN
  INSERT INTO stats_orders (town_id, item_id, month, orders, accepted, accepted_on_time, dispatched, done, done_on_time, rated, satisfied)
  VALUES (NEW.town_id, NEW.item_id, strftime('%Y-%m', (NEW.created_at + 28800000) / 1000, 'unixepoch'), 1,
    NEW.accepted_at IS NOT NULL, coalesce(NEW.accepted_at <= NEW.accept_by, 0), NEW.dispatched_at IS NOT NULL,
    NEW.dispatched_at IS NOT NULL AND NEW.done_at IS NOT NULL, coalesce(NEW.dispatched_at IS NOT NULL AND NEW.done_at <= NEW.finish_by, 0),
    NEW.rating IS NOT NULL, coalesce(NEW.rating >= 4, 0))
  ON CONFLICT (town_id, item_id, month) DO UPDATE SET orders = orders + 1, accepted = accepted + excluded.accepted,
    accepted_on_time = accepted_on_time + excluded.accepted_on_time, dispatched = dispatched + excluded.dispatched, done = done + excluded.done,
    done_on_time = done_on_time + excluded.done_on_time, rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied;
END;
DROP TRIGGER IF EXISTS stats_orders_au;
CREATE TRIGGER stats_orders_au AFTER UPDATE OF status, town_id, item_id, created_at, accepted_at, dispatched_at, done_at, rating, accept_by, finish_by ON service_orders BEGIN
  UPDATE stats_orders SET orders = orders - 1, accepted = accepted - (OLD.accepted_at IS NOT NULL),
    accepted_on_time = accepted_on_time - coalesce(OLD.accepted_at <= OLD.accept_by, 0), dispatched = dispatched - (OLD.dispatched_at IS NOT NULL),
    done = done - (OLD.dispatched_at IS NOT NULL AND OLD.done_at IS NOT NULL), done_on_time = done_on_time - coalesce(OLD.dispatched_at IS NOT NULL AND OLD.done_at <= OLD.finish_by, 0),
    rated = rated - (OLD.rating IS NOT NULL), satisfied = satisfied - coalesce(OLD.rating >= 4, 0)
  WHERE town_id = OLD.town_id AND item_id = OLD.item_id AND month = strftime('%Y-%m', (OLD.created_at + 28800000) / 1000, 'unixepoch');
  INSERT INTO stats_orders (town_id, item_id, month, orders, accepted, accepted_on_time, dispatched, done, done_on_time, rated, satisfied)
  VALUES (NEW.town_id, NEW.item_id, strftime('%Y-%m', (NEW.created_at + 28800000) / 1000, 'unixepoch'), 1,
    NEW.accepted_at IS NOT NULL, coalesce(NEW.accepted_at <= NEW.accept_by, 0), NEW.dispatched_at IS NOT NULL,
    NEW.dispatched_at IS NOT NULL AND NEW.done_at IS NOT NULL, coalesce(NEW.dispatched_at IS NOT NULL AND NEW.done_at <= NEW.finish_by, 0),
    NEW.rating IS NOT NULL, coalesce(NEW.rating >= 4, 0))
  ON CONFLICT (town_id, item_id, month) DO UPDATE SET orders = orders + 1, accepted = accepted + excluded.accepted,
    accepted_on_time = accepted_on_time + excluded.accepted_on_time, dispatched = dispatched + excluded.dispatched, done = done + excluded.done,
    done_on_time = done_on_time + excluded.done_on_time, rated = rated + excluded.rated, satisfied = satisfied + excluded.satisfied;
END;
DROP TRIGGER IF EXISTS stats_orders_ad;
CREATE TRIGGER stats_orders_ad AFTER DELETE ON service_orders BEGIN
  UPDATE stats_orders SET orders = orders - 1, accepted = accepted - (OLD.accepted_at IS NOT NULL),
    accepted_on_time = accepted_on_time - coalesce(OLD.accepted_at <= OLD.accept_by, 0), dispatched = dispatched - (OLD.dispatched_at IS NOT NULL),
    done = done - (OLD.dispatched_at IS NOT NULL AND OLD.done_at IS NOT NULL), done_on_time = done_on_time - coalesce(OLD.dispatched_at IS NOT NULL AND OLD.done_at <= OLD.finish_by, 0),
    rated = rated - (OLD.rating IS NOT NULL), satisfied = satisfied - coalesce(OLD.rating >= 4, 0),
    service_visits = service_visits - (SELECT count(*) FROM events e CROSS JOIN hour_records h ON h.event_id = e.id AND h.status = 'confirmed' WHERE e.service_order_id = OLD.id)
  WHERE town_id = OLD.town_id AND item_id = OLD.item_id AND month = strftime('%Y-%m', (OLD.created_at + 28800000) / 1000, 'unixepoch');
END;
-- An order moved to another line (乡镇, item or date) takes its 服务人次 with it.
DROP TRIGGER IF EXISTS stats_orders_key_au;
CREATE TRIGGER stats_orders_key_au AFTER UPDATE OF town_id, item_id, created_at ON service_orders
WHEN OLD.town_id IS NOT NEW.town_id OR OLD.item_id IS NOT NEW.item_id
  OR strftime('%Y-%m', (OLD.created_at + 28800000) / 1000, 'unixepoch') IS NOT strftime('%Y-%m', (NEW.created_at + 28800000) / 1000, 'unixepoch') BEGIN
  UPDATE stats_orders SET service_visits = service_visits - (SELECT count(*) FROM events e CROSS JOIN hour_records h ON h.event_id = e.id AND h.status = 'confirmed' WHERE e.service_order_id = OLD.id)
  WHERE town_id = OLD.town_id AND item_id = OLD.item_id AND month = strftime('%Y-%m', (OLD.created_at + 28800000) / 1000, 'unixepoch');
  INSERT INTO stats_orders (town_id, item_id, month, service_visits)
  SELECT NEW.town_id, NEW.item_id, strftime('%Y-%m', (NEW.created_at + 28800000) / 1000, 'unixepoch'),
    (SELECT count(*) FROM events e CROSS JOIN hour_records h ON h.event_id = e.id AND h.status = 'confirmed' WHERE e.service_order_id = NEW.id) WHERE 1
  ON CONFLICT (town_id, item_id, month) DO UPDATE SET service_visits = service_visits + excluded.service_visits;
END;
-- 服务人次: a confirmed hour record of an event that serves an order counts 1 on that order's line.
DROP TRIGGER IF EXISTS stats_order_visits_ai;
CREATE TRIGGER stats_order_visits_ai AFTER INSERT ON hour_records WHEN NEW.status = 'confirmed' AND NEW.event_id IS NOT NULL BEGIN
  INSERT INTO stats_orders (town_id, item_id, month, service_visits)
  SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch'), 1
  FROM events e JOIN service_orders o ON o.id = e.service_order_id WHERE e.id = NEW.event_id
  ON CONFLICT (town_id, item_id, month) DO UPDATE SET service_visits = service_visits + 1;
END;
DROP TRIGGER IF EXISTS stats_order_visits_au;
CREATE TRIGGER stats_order_visits_au AFTER UPDATE OF status, event_id ON hour_records
WHEN (OLD.status = 'confirmed' AND OLD.event_id IS NOT NULL) OR (NEW.status = 'confirmed' AND NEW.event_id IS NOT NULL) BEGIN
  UPDATE stats_orders SET service_visits = service_visits - 1
  WHERE OLD.status = 'confirmed' AND (town_id, item_id, month) = (SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch')
    FROM events e JOIN service_orders o ON o.id = e.service_order_id WHERE e.id = OLD.event_id);
  INSERT INTO stats_orders (town_id, item_id, month, service_visits)
  SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch'), 1
  FROM events e JOIN service_orders o ON o.id = e.service_order_id WHERE e.id = NEW.event_id AND NEW.status = 'confirmed'
  ON CONFLICT (town_id, item_id, month) DO UPDATE SET service_visits = service_visits + 1;
END;
DROP TRIGGER IF EXISTS stats_order_visits_ad;
CREATE TRIGGER stats_order_visits_ad AFTER DELETE ON hour_records WHEN OLD.status = 'confirmed' AND OLD.event_id IS NOT NULL BEGIN
  UPDATE stats_orders SET service_visits = service_visits - 1
  WHERE (town_id, item_id, month) = (SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch')
    FROM events e JOIN service_orders o ON o.id = e.service_order_id WHERE e.id = OLD.event_id);
END;
-- An event linked to an order (or unlinked) carries its confirmed records from one line to the other.
DROP TRIGGER IF EXISTS stats_order_visits_event_au;
CREATE TRIGGER stats_order_visits_event_au AFTER UPDATE OF service_order_id ON events WHEN OLD.service_order_id IS NOT NEW.service_order_id BEGIN
  UPDATE stats_orders SET service_visits = service_visits - (SELECT count(*) FROM hour_records h WHERE h.event_id = OLD.id AND h.status = 'confirmed')
  WHERE (town_id, item_id, month) = (SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch') FROM service_orders o WHERE o.id = OLD.service_order_id);
  INSERT INTO stats_orders (town_id, item_id, month, service_visits)
  SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch'), (SELECT count(*) FROM hour_records h WHERE h.event_id = NEW.id AND h.status = 'confirmed')
  FROM service_orders o WHERE o.id = NEW.service_order_id
  ON CONFLICT (town_id, item_id, month) DO UPDATE SET service_visits = service_visits + excluded.service_visits;
END;
DROP TRIGGER IF EXISTS stats_order_visits_event_ad;
CREATE TRIGGER stats_order_visits_event_ad AFTER DELETE ON events WHEN OLD.service_order_id IS NOT NULL BEGIN
  UPDATE stats_orders SET service_visits = service_visits - (SELECT count(*) FROM hour_records h WHERE h.event_id = OLD.id AND h.status = 'confirmed')
  WHERE (town_id, item_id, month) = (SELECT o.town_id, o.item_id, strftime('%Y-%m', (o.created_at + 28800000) / 1000, 'unixepoch') FROM service_orders o WHERE o.id = OLD.service_order_id);
END;

-- Delivered 普法讲座 (an order of a lecture item, done or rated) per topic, Beijing year of delivery and 乡镇:
-- 场次 and 受教育人次 for /stats, /legal and the home page. An item's kind never changes (src/domain/orders/menu.ts).
DROP VIEW IF EXISTS stats_src_lecture;
CREATE VIEW stats_src_lecture AS SELECT o.id, coalesce(json_extract(o.lecture, '$.topic'), '') AS topic,
    coalesce(strftime('%Y', (o.done_at + 28800000) / 1000, 'unixepoch'), '') AS year, o.town_id,
    coalesce(json_extract(o.lecture, '$.audienceActual'), 0) AS audience
  FROM service_orders o JOIN service_items i ON i.id = o.item_id WHERE i.kind = 'lecture' AND o.status IN ('done', 'rated');
DROP TRIGGER IF EXISTS stats_lectures_ai;
CREATE TRIGGER stats_lectures_ai AFTER INSERT ON service_orders WHEN NEW.status IN ('done', 'rated') BEGIN
  INSERT INTO stats_lectures (topic, year, town_id, sessions, audience) SELECT topic, year, town_id, 1, audience FROM stats_src_lecture WHERE id = NEW.id
  ON CONFLICT (topic, year, town_id) DO UPDATE SET sessions = sessions + 1, audience = audience + excluded.audience;
END;
DROP TRIGGER IF EXISTS stats_lectures_au;
CREATE TRIGGER stats_lectures_au AFTER UPDATE OF status, item_id, town_id, done_at, lecture ON service_orders
WHEN OLD.status IN ('done', 'rated') OR NEW.status IN ('done', 'rated') BEGIN
  UPDATE stats_lectures SET sessions = sessions - 1, audience = audience - coalesce(json_extract(OLD.lecture, '$.audienceActual'), 0)
  WHERE OLD.status IN ('done', 'rated') AND EXISTS (SELECT 1 FROM service_items i WHERE i.id = OLD.item_id AND i.kind = 'lecture')
    AND topic = coalesce(json_extract(OLD.lecture, '$.topic'), '') AND year = coalesce(strftime('%Y', (OLD.done_at + 28800000) / 1000, 'unixepoch'), '')
    AND town_id = OLD.town_id;
  INSERT INTO stats_lectures (topic, year, town_id, sessions, audience) SELECT topic, year, town_id, 1, audience FROM stats_src_lecture WHERE id = NEW.id
  ON CONFLICT (topic, year, town_id) DO UPDATE SET sessions = sessions + 1, audience = audience + excluded.audience;
END;
DROP TRIGGER IF EXISTS stats_lectures_ad;
CREATE TRIGGER stats_lectures_ad AFTER DELETE ON service_orders WHEN OLD.status IN ('done', 'rated') BEGIN
  UPDATE stats_lectures SET sessions = sessions - 1, audience = audience - coalesce(json_extract(OLD.lecture, '$.audienceActual'), 0)
  WHERE EXISTS (SELECT 1 FROM service_items i WHERE i.id = OLD.item_id AND i.kind = 'lecture')
    AND topic = coalesce(json_extract(OLD.lecture, '$.topic'), '') AND year = coalesce(strftime('%Y', (OLD.done_at + 28800000) / 1000, 'unixepoch'), '')
    AND town_id = OLD.town_id;
END;
