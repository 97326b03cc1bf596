-- Where the media library's files are used (docs/decisions/076-private-media.md): media_uses follows the
-- content columns of articles (cover, attachments, Markdown body) and honorees (Markdown story), whatever
-- code path writes them. /media/<file> serves a library file to the public only while one of its users
-- is public; status is read at that moment, so publishing or withdrawing needs no bookkeeping here.
-- A body or story uses a file when it contains "/media/<file key>" (keys are 20 random characters).
DROP TRIGGER IF EXISTS media_uses_articles_insert;
CREATE TRIGGER media_uses_articles_insert AFTER INSERT ON articles
BEGIN
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'article', NEW.id, 'cover' FROM media WHERE id = NEW.cover_media_id AND kind = 'image';
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'article', NEW.id, 'attachment' FROM media
    WHERE id IN (SELECT value FROM json_each(CASE WHEN json_valid(NEW.attachments) THEN NEW.attachments ELSE '[]' END));
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'article', NEW.id, 'body' FROM media WHERE instr(NEW.body, '/media/' || file_key) > 0;
END;
DROP TRIGGER IF EXISTS media_uses_articles_update;
CREATE TRIGGER media_uses_articles_update AFTER UPDATE OF cover_media_id, attachments, body ON articles
BEGIN
  DELETE FROM media_uses WHERE subject_type = 'article' AND subject_id = OLD.id;
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'article', NEW.id, 'cover' FROM media WHERE id = NEW.cover_media_id AND kind = 'image';
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'article', NEW.id, 'attachment' FROM media
    WHERE id IN (SELECT value FROM json_each(CASE WHEN json_valid(NEW.attachments) THEN NEW.attachments ELSE '[]' END));
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'article', NEW.id, 'body' FROM media WHERE instr(NEW.body, '/media/' || file_key) > 0;
END;
DROP TRIGGER IF EXISTS media_uses_articles_delete;
CREATE TRIGGER media_uses_articles_delete AFTER DELETE ON articles
BEGIN
  DELETE FROM media_uses WHERE subject_type = 'article' AND subject_id = OLD.id;
END;
DROP TRIGGER IF EXISTS media_uses_honorees_insert;
CREATE TRIGGER media_uses_honorees_insert AFTER INSERT ON honorees
BEGIN
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'honoree', NEW.id, 'story' FROM media WHERE instr(NEW.story, '/media/' || file_key) > 0;
END;
DROP TRIGGER IF EXISTS media_uses_honorees_update;
CREATE TRIGGER media_uses_honorees_update AFTER UPDATE OF story ON honorees
BEGIN
  DELETE FROM media_uses WHERE subject_type = 'honoree' AND subject_id = OLD.id;
  INSERT OR IGNORE INTO media_uses (media_id, subject_type, subject_id, role)
    SELECT id, 'honoree', NEW.id, 'story' FROM media WHERE instr(NEW.story, '/media/' || file_key) > 0;
END;
DROP TRIGGER IF EXISTS media_uses_honorees_delete;
CREATE TRIGGER media_uses_honorees_delete AFTER DELETE ON honorees
BEGIN
  DELETE FROM media_uses WHERE subject_type = 'honoree' AND subject_id = OLD.id;
END;
-- A library file that is deleted is used by nothing.
DROP TRIGGER IF EXISTS media_uses_media_delete;
CREATE TRIGGER media_uses_media_delete AFTER DELETE ON media
BEGIN
  DELETE FROM media_uses WHERE media_id = OLD.id;
END;
