-- Issue 17.1 (docs/decisions/086): each submission to review keeps what was submitted, so a reviewer
-- sees what changed since the round they last acted on.
ALTER TABLE `review_steps` ADD `snapshot` text;
--> statement-breakpoint
-- Data: the open round of an article or revision now in review is locked since it was submitted, so
-- its content today is what was submitted; give that round's submit row its snapshot. Older rounds
-- stay without one (the page then shows the full text, no diff).
UPDATE review_steps SET snapshot = (
    SELECT json_object('title', a.title, 'channel', a.channel, 'topic', a.topic, 'honoreeId', a.honoree_id, 'summary', a.summary, 'body', a.body,
      'tags', json(a.tags), 'author', a.author, 'source', a.source, 'coverMediaId', a.cover_media_id, 'attachments', json(a.attachments))
    FROM articles a WHERE a.id = review_steps.subject_id)
  WHERE subject_type = 'article' AND decision = 'submit' AND snapshot IS NULL
    AND subject_id IN (SELECT id FROM articles WHERE status IN ('submitted','in_review'))
    AND at = (SELECT max(s.at) FROM review_steps s WHERE s.subject_type = 'article' AND s.subject_id = review_steps.subject_id AND s.decision = 'submit');
--> statement-breakpoint
UPDATE review_steps SET snapshot = (SELECT r.content FROM article_revisions r WHERE r.id = review_steps.subject_id)
  WHERE subject_type = 'revision' AND decision = 'submit' AND snapshot IS NULL
    AND subject_id IN (SELECT id FROM article_revisions WHERE status IN ('submitted','in_review'))
    AND at = (SELECT max(s.at) FROM review_steps s WHERE s.subject_type = 'revision' AND s.subject_id = review_steps.subject_id AND s.decision = 'submit');
