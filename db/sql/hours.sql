-- Service-hour invariants held by SQLite itself (issue 5, docs/decisions/030).
-- 1. A confirmed record never overlaps another confirmed record of the same volunteer.
-- 2. users.confirmed_minutes, teams.confirmed_minutes and the county total
--    (counters row 'hours.county_minutes') always equal the sums of confirmed records.

-- One hour record per sign-up (attendance is turned into records once).
CREATE UNIQUE INDEX IF NOT EXISTS hours_signup_one ON hour_records (signup_id) WHERE signup_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS hour_corrections_record ON hour_corrections (record_id, status);

-- County total: created once (with a one-off sum when missing), then kept by the triggers below.
INSERT INTO counters (name, value)
  SELECT 'hours.county_minutes', (SELECT coalesce(sum(minutes), 0) FROM hour_records WHERE status = 'confirmed')
  WHERE NOT EXISTS (SELECT 1 FROM counters WHERE name = 'hours.county_minutes');

DROP TRIGGER IF EXISTS hours_no_overlap_insert;
CREATE TRIGGER hours_no_overlap_insert
BEFORE INSERT ON hour_records
WHEN NEW.status = 'confirmed'
BEGIN
  SELECT RAISE(ABORT, 'HOURS_OVERLAP: 已确认的服务记录与该志愿者的其他已确认记录时间重叠')
  WHERE EXISTS (
    SELECT 1 FROM hour_records h
    WHERE h.user_id = NEW.user_id AND h.status = 'confirmed'
      AND h.starts_at < NEW.ends_at AND h.ends_at > NEW.starts_at
  );
END;

DROP TRIGGER IF EXISTS hours_no_overlap_update;
CREATE TRIGGER hours_no_overlap_update
BEFORE UPDATE OF status, starts_at, ends_at, user_id ON hour_records
WHEN NEW.status = 'confirmed'
BEGIN
  SELECT RAISE(ABORT, 'HOURS_OVERLAP: 已确认的服务记录与该志愿者的其他已确认记录时间重叠')
  WHERE EXISTS (
    SELECT 1 FROM hour_records h
    WHERE h.user_id = NEW.user_id AND h.status = 'confirmed' AND h.id <> NEW.id
      AND h.starts_at < NEW.ends_at AND h.ends_at > NEW.starts_at
  );
END;

DROP TRIGGER IF EXISTS hours_totals_insert;
CREATE TRIGGER hours_totals_insert
AFTER INSERT ON hour_records
WHEN NEW.status = 'confirmed'
BEGIN
  UPDATE users SET confirmed_minutes = confirmed_minutes + NEW.minutes WHERE id = NEW.user_id;
  UPDATE teams SET confirmed_minutes = confirmed_minutes + NEW.minutes WHERE id = NEW.team_id;
  UPDATE counters SET value = value + NEW.minutes WHERE name = 'hours.county_minutes';
END;

DROP TRIGGER IF EXISTS hours_totals_update;
CREATE TRIGGER hours_totals_update
AFTER UPDATE OF status, minutes, user_id, team_id ON hour_records
WHEN OLD.status = 'confirmed' OR NEW.status = 'confirmed'
BEGIN
  UPDATE users SET confirmed_minutes = confirmed_minutes - OLD.minutes WHERE id = OLD.user_id AND OLD.status = 'confirmed';
  UPDATE users SET confirmed_minutes = confirmed_minutes + NEW.minutes WHERE id = NEW.user_id AND NEW.status = 'confirmed';
  UPDATE teams SET confirmed_minutes = confirmed_minutes - OLD.minutes WHERE id = OLD.team_id AND OLD.status = 'confirmed';
  UPDATE teams SET confirmed_minutes = confirmed_minutes + NEW.minutes WHERE id = NEW.team_id AND NEW.status = 'confirmed';
  UPDATE counters SET value = value
      - (CASE WHEN OLD.status = 'confirmed' THEN OLD.minutes ELSE 0 END)
      + (CASE WHEN NEW.status = 'confirmed' THEN NEW.minutes ELSE 0 END)
    WHERE name = 'hours.county_minutes';
END;

DROP TRIGGER IF EXISTS hours_totals_delete;
CREATE TRIGGER hours_totals_delete
AFTER DELETE ON hour_records
WHEN OLD.status = 'confirmed'
BEGIN
  UPDATE users SET confirmed_minutes = confirmed_minutes - OLD.minutes WHERE id = OLD.user_id;
  UPDATE teams SET confirmed_minutes = confirmed_minutes - OLD.minutes WHERE id = OLD.team_id;
  UPDATE counters SET value = value - OLD.minutes WHERE name = 'hours.county_minutes';
END;

-- 3. Nobody confirms their own hours or issues their own certificate (issue 15, item 5;
--    docs/decisions/079). The domain refuses first with a Chinese message; these catch any other path.
DROP TRIGGER IF EXISTS hours_no_self_review_insert;
CREATE TRIGGER hours_no_self_review_insert
BEFORE INSERT ON hour_records
WHEN NEW.status = 'confirmed' AND NEW.reviewer_id = NEW.user_id
BEGIN
  SELECT RAISE(ABORT, 'HOURS_SELF_REVIEW: 服务记录不能由志愿者本人确认');
END;

DROP TRIGGER IF EXISTS hours_no_self_review_update;
CREATE TRIGGER hours_no_self_review_update
BEFORE UPDATE OF status, reviewer_id, user_id ON hour_records
WHEN NEW.status = 'confirmed' AND NEW.reviewer_id = NEW.user_id
BEGIN
  SELECT RAISE(ABORT, 'HOURS_SELF_REVIEW: 服务记录不能由志愿者本人确认');
END;

DROP TRIGGER IF EXISTS certificates_no_self_issue_insert;
CREATE TRIGGER certificates_no_self_issue_insert
BEFORE INSERT ON certificates
WHEN NEW.status = 'issued' AND NEW.issued_by = NEW.user_id
BEGIN
  SELECT RAISE(ABORT, 'CERTIFICATE_SELF_ISSUE: 服务证明不能由志愿者本人出具');
END;

DROP TRIGGER IF EXISTS certificates_no_self_issue_update;
CREATE TRIGGER certificates_no_self_issue_update
BEFORE UPDATE OF status, issued_by, user_id ON certificates
WHEN NEW.status = 'issued' AND NEW.issued_by = NEW.user_id
BEGIN
  SELECT RAISE(ABORT, 'CERTIFICATE_SELF_ISSUE: 服务证明不能由志愿者本人出具');
END;
