-- events.confirmed_count follows the seat-holding sign-ups (confirmed, attended, no_show),
-- and the database refuses any change that would put more seat-holders than seats
-- (docs/decisions/020-signup-guarded-statement.md).
DROP TRIGGER IF EXISTS signups_seats_insert;
CREATE TRIGGER signups_seats_insert AFTER INSERT ON signups
WHEN NEW.status IN ('confirmed', 'attended', 'no_show')
BEGIN
  UPDATE events SET confirmed_count = confirmed_count + 1 WHERE id = NEW.event_id;
  SELECT RAISE(ABORT, 'event_capacity_exceeded') FROM events WHERE id = NEW.event_id AND confirmed_count > capacity;
END;

DROP TRIGGER IF EXISTS signups_seats_update;
CREATE TRIGGER signups_seats_update AFTER UPDATE OF status ON signups
WHEN (OLD.status IN ('confirmed', 'attended', 'no_show')) <> (NEW.status IN ('confirmed', 'attended', 'no_show'))
BEGIN
  UPDATE events
     SET confirmed_count = confirmed_count + (CASE WHEN NEW.status IN ('confirmed', 'attended', 'no_show') THEN 1 ELSE -1 END)
   WHERE id = NEW.event_id;
  SELECT RAISE(ABORT, 'event_capacity_exceeded') FROM events WHERE id = NEW.event_id AND confirmed_count > capacity;
END;

DROP TRIGGER IF EXISTS signups_seats_delete;
CREATE TRIGGER signups_seats_delete AFTER DELETE ON signups
WHEN OLD.status IN ('confirmed', 'attended', 'no_show')
BEGIN
  UPDATE events SET confirmed_count = confirmed_count - 1 WHERE id = OLD.event_id;
END;

-- Lowering capacity below the seats already taken is refused too.
DROP TRIGGER IF EXISTS events_capacity_guard;
CREATE TRIGGER events_capacity_guard BEFORE UPDATE OF capacity ON events
WHEN NEW.capacity < NEW.confirmed_count
BEGIN
  SELECT RAISE(ABORT, 'event_capacity_exceeded');
END;

-- The calendar SEQUENCE (RFC 5545 3.8.7.4): a change of time, place or status is a new revision of
-- the event, whichever code path made it (edit, cancel, a lecture order completing it).
DROP TRIGGER IF EXISTS events_revision;
CREATE TRIGGER events_revision AFTER UPDATE OF starts_at, ends_at, address, town_id, village_id, status ON events
WHEN NEW.starts_at IS NOT OLD.starts_at OR NEW.ends_at IS NOT OLD.ends_at OR NEW.address IS NOT OLD.address
  OR NEW.town_id IS NOT OLD.town_id OR NEW.village_id IS NOT OLD.village_id OR NEW.status IS NOT OLD.status
BEGIN
  UPDATE events SET revision = revision + 1 WHERE id = NEW.id;
END;
