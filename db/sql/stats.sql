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
