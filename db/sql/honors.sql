-- 好人榜: honorees.like_count follows the likes table (one row per honoree, visitor, day).
DROP TRIGGER IF EXISTS likes_count_insert;
CREATE TRIGGER likes_count_insert AFTER INSERT ON likes
BEGIN
  UPDATE honorees SET like_count = like_count + 1 WHERE id = NEW.honoree_id;
END;
DROP TRIGGER IF EXISTS likes_count_delete;
CREATE TRIGGER likes_count_delete AFTER DELETE ON likes
BEGIN
  UPDATE honorees SET like_count = max(like_count - 1, 0) WHERE id = OLD.honoree_id;
END;
CREATE INDEX IF NOT EXISTS likes_honoree_time ON likes (honoree_id, created_at);
CREATE INDEX IF NOT EXISTS objections_status ON objections (status, created_at);
