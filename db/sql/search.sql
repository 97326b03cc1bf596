-- Chinese-aware site search (issue 8, docs/decisions/061-cjk-search.md).
-- FTS5's trigram tokenizer cannot find 1–2 character words (社区, 好人), so text
-- is indexed as overlapping character bigrams separated by spaces ("社区好人" →
-- "社区 区好 好人 人") in an FTS5 table with the default unicode61 tokenizer. A
-- query becomes a phrase of its bigrams; a 1-character query a prefix.
-- search_docs mirrors what the public may see (views search_src_*), kept in step
-- by triggers on the source tables; triggers on search_docs feed the FTS table.
CREATE TABLE IF NOT EXISTS search_nums (n INTEGER PRIMARY KEY);
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 4000)
INSERT OR IGNORE INTO search_nums SELECT n FROM c;
CREATE TABLE IF NOT EXISTS search_docs (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  ref_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  url TEXT NOT NULL,
  sort_at INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS search_docs_ref ON search_docs (type, ref_id);
-- What the ranked window orders by, without the document text (docs/decisions/107): a body of up to 4,000
-- characters spills into overflow pages, and url and sort_at come after it in the row, so ordering 2,000
-- matches by the table read every page of every body. src/domain/search/index.ts names it (INDEXED BY).
CREATE INDEX IF NOT EXISTS search_docs_rank ON search_docs (id, type, sort_at, title);
-- search_index replaced search_fts (issue 22, docs/decisions/105): a third column, kind ('k' || type), makes
-- the count per type an FTS count. At 200,000 articles a common word (社区) matches most documents, and
-- counting them by reading each one's search_docs row cost more than the rest of the page. Queries match
-- {title body} only, so no search ever matches a kind token.
DROP TABLE IF EXISTS search_fts;
CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5 (title, body, kind, content = '', contentless_delete = 1);

DROP TRIGGER IF EXISTS search_docs_ai;
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_index (rowid, title, body, kind) VALUES (
    NEW.id,
    (SELECT group_concat(substr(lower(NEW.title), n, 2), ' ' ORDER BY n) FROM search_nums WHERE n <= length(NEW.title)),
    (SELECT group_concat(substr(lower(NEW.body), n, 2), ' ' ORDER BY n) FROM search_nums WHERE n <= min(length(NEW.body), 4000)),
    'k' || NEW.type
  );
END;
DROP TRIGGER IF EXISTS search_docs_ad;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
  DELETE FROM search_index WHERE rowid = OLD.id;
END;
-- A database indexed into search_fts before: every document once into search_index (the first start after the change).
INSERT INTO search_index (rowid, title, body, kind)
  SELECT d.id,
    (SELECT group_concat(substr(lower(d.title), n, 2), ' ' ORDER BY n) FROM search_nums WHERE n <= length(d.title)),
    (SELECT group_concat(substr(lower(d.body), n, 2), ' ' ORDER BY n) FROM search_nums WHERE n <= min(length(d.body), 4000)),
    'k' || d.type
  FROM search_docs d WHERE NOT EXISTS (SELECT 1 FROM search_index);

DROP VIEW IF EXISTS search_src_honoree;
-- Without name consent, the title is the masked name (张*华) and the body has the full name
-- and the given name masked as publicHonoreeText (src/domain/honors/public.ts) does, with
-- Markdown-escaped asterisks: searching the name or any part of it finds nothing
-- (issue 15 item 10). Keep the two in step; tests/integration/honoree-name-privacy.test.ts compares them.
CREATE VIEW search_src_honoree AS SELECT 'honoree' AS type, id AS ref_id,
    CASE WHEN open THEN name ELSE first || replace(stars, '00', '*') || last END AS title,
    CASE WHEN open THEN body
         WHEN given IS NULL THEN replace(body, name, first || replace(stars, '00', '\*') || last)
         ELSE replace(replace(body, name, first || replace(stars, '00', '\*') || last), given, '\*' || substr(name, -1)) END AS body,
    url, sort_at
  FROM (SELECT id, name, (name_consent OR kind <> 'person' OR length(name) < 2) AS open,
          substr(name, 1, 1) AS first, hex(zeroblob(max(length(name) - 2, 1))) AS stars, CASE WHEN length(name) > 2 THEN substr(name, -1) ELSE '' END AS last,
          CASE length(name) WHEN 3 THEN substr(name, 2) WHEN 4 THEN substr(name, 3) END AS given,
          trim(coalesce(epithet, '') || ' ' || category || ' ' || level || '级 ' || identity || ' ' || title || ' ' || summary || ' ' || story) AS body,
          '/honors/' || slug AS url, coalesce(published_at, created_at) AS sort_at
        FROM honorees WHERE status = 'published');
DROP TRIGGER IF EXISTS search_honorees_ai;
CREATE TRIGGER search_honorees_ai AFTER INSERT ON honorees BEGIN
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_honoree WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_honorees_au;
CREATE TRIGGER search_honorees_au AFTER UPDATE OF slug, name, epithet, identity, category, level, title, summary, story, status, name_consent, kind, published_at ON honorees BEGIN
  DELETE FROM search_docs WHERE type = 'honoree' AND ref_id = OLD.id;
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_honoree WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_honorees_ad;
CREATE TRIGGER search_honorees_ad AFTER DELETE ON honorees BEGIN
  DELETE FROM search_docs WHERE type = 'honoree' AND ref_id = OLD.id;
END;
-- Documents indexed before the view masked names in the body (or by any older view) are
-- re-indexed once: every start compares each honoree's document with the view.
DELETE FROM search_docs WHERE type = 'honoree' AND NOT EXISTS (
  SELECT 1 FROM search_src_honoree s WHERE s.ref_id = search_docs.ref_id AND s.title = search_docs.title AND substr(s.body, 1, 4000) = search_docs.body AND s.url = search_docs.url);
INSERT INTO search_docs (type, ref_id, title, body, url, sort_at)
  SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_honoree s
  WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.type = 'honoree' AND d.ref_id = s.ref_id);

DROP VIEW IF EXISTS search_src_team;
CREATE VIEW search_src_team AS SELECT 'team' AS type, id AS ref_id, name AS title, trim(summary || ' ' || replace(replace(replace(service_types, '"', ''), '[', ''), ']', '') || ' ' || description) AS body,
    '/teams/' || slug AS url, created_at AS sort_at
  FROM teams WHERE status = 'active';
DROP TRIGGER IF EXISTS search_teams_ai;
CREATE TRIGGER search_teams_ai AFTER INSERT ON teams BEGIN
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_team WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_teams_au;
CREATE TRIGGER search_teams_au AFTER UPDATE OF slug, name, summary, description, service_types, status ON teams BEGIN
  DELETE FROM search_docs WHERE type = 'team' AND ref_id = OLD.id;
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_team WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_teams_ad;
CREATE TRIGGER search_teams_ad AFTER DELETE ON teams BEGIN
  DELETE FROM search_docs WHERE type = 'team' AND ref_id = OLD.id;
END;

DROP VIEW IF EXISTS search_src_event;
CREATE VIEW search_src_event AS SELECT 'event' AS type, id AS ref_id, title, trim(category || ' ' || address || ' ' || description) AS body, '/events/' || id AS url, starts_at AS sort_at
  FROM events WHERE status IN ('published', 'completed');
DROP TRIGGER IF EXISTS search_events_ai;
CREATE TRIGGER search_events_ai AFTER INSERT ON events BEGIN
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_event WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_events_au;
CREATE TRIGGER search_events_au AFTER UPDATE OF title, category, description, address, status, starts_at ON events BEGIN
  DELETE FROM search_docs WHERE type = 'event' AND ref_id = OLD.id;
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_event WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_events_ad;
CREATE TRIGGER search_events_ad AFTER DELETE ON events BEGIN
  DELETE FROM search_docs WHERE type = 'event' AND ref_id = OLD.id;
END;

DROP VIEW IF EXISTS search_src_article;
-- An HTML body (issue 17 item 3) is indexed as the reader's text the app keeps in body_text; a Markdown body as before.
CREATE VIEW search_src_article AS SELECT 'article' AS type, id AS ref_id, title, trim(summary || ' ' || CASE WHEN body_format = 'html' THEN body_text ELSE body END) AS body, '/articles/' || slug AS url, coalesce(published_at, created_at) AS sort_at
  FROM articles WHERE status = 'published';
DROP TRIGGER IF EXISTS search_articles_ai;
CREATE TRIGGER search_articles_ai AFTER INSERT ON articles BEGIN
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_article WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_articles_au;
CREATE TRIGGER search_articles_au AFTER UPDATE OF slug, title, summary, body, body_format, body_text, tags, status, published_at, channel ON articles BEGIN
  DELETE FROM search_docs WHERE type = 'article' AND ref_id = OLD.id;
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_article WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_articles_ad;
CREATE TRIGGER search_articles_ad AFTER DELETE ON articles BEGIN
  DELETE FROM search_docs WHERE type = 'article' AND ref_id = OLD.id;
END;

DROP VIEW IF EXISTS search_src_lesson;
CREATE VIEW search_src_lesson AS SELECT 'lesson' AS type, id AS ref_id, title, trim(topic || ' ' || law_ref || ' ' || summary || ' ' || body) AS body, '/legal/' || slug AS url, created_at AS sort_at
  FROM legal_lessons WHERE 1;
DROP TRIGGER IF EXISTS search_legal_lessons_ai;
CREATE TRIGGER search_legal_lessons_ai AFTER INSERT ON legal_lessons BEGIN
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_lesson WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_legal_lessons_au;
CREATE TRIGGER search_legal_lessons_au AFTER UPDATE OF slug, title, topic, law_ref, summary, body ON legal_lessons BEGIN
  DELETE FROM search_docs WHERE type = 'lesson' AND ref_id = OLD.id;
  INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM search_src_lesson WHERE ref_id = NEW.id;
END;
DROP TRIGGER IF EXISTS search_legal_lessons_ad;
CREATE TRIGGER search_legal_lessons_ad AFTER DELETE ON legal_lessons BEGIN
  DELETE FROM search_docs WHERE type = 'lesson' AND ref_id = OLD.id;
END;
