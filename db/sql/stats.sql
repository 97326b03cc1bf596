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
