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
