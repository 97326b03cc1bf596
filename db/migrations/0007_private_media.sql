CREATE TABLE `media_uses` (
	`media_id` integer NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`media_id`, `subject_type`, `subject_id`, `role`)
);
--> statement-breakpoint
CREATE INDEX `media_uses_subject` ON `media_uses` (`subject_type`,`subject_id`);--> statement-breakpoint
CREATE TABLE `private_files` (
	`id` integer PRIMARY KEY NOT NULL,
	`file_key` text NOT NULL,
	`purpose` text NOT NULL,
	`mime` text NOT NULL,
	`width` integer,
	`height` integer,
	`bytes` integer NOT NULL,
	`variants` text DEFAULT '[]' NOT NULL,
	`original_name` text,
	`uploaded_by` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `private_files_file_key_unique` ON `private_files` (`file_key`);--> statement-breakpoint
ALTER TABLE `hour_records` ADD `photo_file_id` integer;--> statement-breakpoint
CREATE INDEX `hours_photo` ON `hour_records` (`photo_file_id`) WHERE photo_file_id IS NOT NULL;--> statement-breakpoint
ALTER TABLE `nominations` ADD `photo_file_id` integer;--> statement-breakpoint
CREATE INDEX `nominations_photo` ON `nominations` (`photo_file_id`) WHERE photo_file_id IS NOT NULL;--> statement-breakpoint
ALTER TABLE `lecture_orders` ADD `photo_file_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- Data (docs/decisions/076-private-media.md): hour-claim photos, nomination photos and lecture photos become
-- private files. They keep their id and file key, so every reference carries over by copying the column;
-- scripts/start.mjs (relocatePrivateFiles) then moves their files into UPLOADS_DIR/private.
INSERT OR IGNORE INTO `private_files` (`id`, `file_key`, `purpose`, `mime`, `width`, `height`, `bytes`, `variants`, `original_name`, `uploaded_by`, `created_at`)
  SELECT m.`id`, m.`file_key`, 'hour_claim', m.`mime`, m.`width`, m.`height`, m.`bytes`, m.`variants`, m.`original_name`, m.`uploaded_by`, m.`created_at`
  FROM `media` m WHERE m.`kind` = 'image' AND m.`id` IN (SELECT `photo_media_id` FROM `hour_records` WHERE `photo_media_id` IS NOT NULL);
--> statement-breakpoint
INSERT OR IGNORE INTO `private_files` (`id`, `file_key`, `purpose`, `mime`, `width`, `height`, `bytes`, `variants`, `original_name`, `uploaded_by`, `created_at`)
  SELECT m.`id`, m.`file_key`, 'nomination', m.`mime`, m.`width`, m.`height`, m.`bytes`, m.`variants`, m.`original_name`, m.`uploaded_by`, m.`created_at`
  FROM `media` m WHERE m.`kind` = 'image' AND m.`id` IN (SELECT `photo_media_id` FROM `nominations` WHERE `photo_media_id` IS NOT NULL);
--> statement-breakpoint
INSERT OR IGNORE INTO `private_files` (`id`, `file_key`, `purpose`, `mime`, `width`, `height`, `bytes`, `variants`, `original_name`, `uploaded_by`, `created_at`)
  SELECT m.`id`, m.`file_key`, 'lecture', m.`mime`, m.`width`, m.`height`, m.`bytes`, m.`variants`, m.`original_name`, m.`uploaded_by`, m.`created_at`
  FROM `media` m WHERE m.`kind` = 'image' AND m.`id` IN (
    SELECT j.`value` FROM `lecture_orders` o, json_each(CASE WHEN json_valid(o.`photo_media_ids`) THEN o.`photo_media_ids` ELSE '[]' END) j);
--> statement-breakpoint
UPDATE `hour_records` SET `photo_file_id` = `photo_media_id` WHERE `photo_media_id` IN (SELECT `id` FROM `private_files`);
--> statement-breakpoint
UPDATE `nominations` SET `photo_file_id` = `photo_media_id` WHERE `photo_media_id` IN (SELECT `id` FROM `private_files`);
--> statement-breakpoint
UPDATE `lecture_orders` SET `photo_file_ids` = (
    SELECT json_group_array(p.`id`) FROM json_each(`photo_media_ids`) j JOIN `private_files` p ON p.`id` = j.`value`)
  WHERE json_valid(`photo_media_ids`) AND `photo_media_ids` <> '[]';
--> statement-breakpoint
-- Claim and nomination photos leave the media library. A nomination photo stays there only when a
-- honoree entry uses it with recorded photo consent (then it was published with consent). Lecture
-- photos were picked from the library, where editors had uploaded them: the library keeps those.
DELETE FROM `media` WHERE `id` IN (SELECT `id` FROM `private_files` WHERE `purpose` IN ('hour_claim', 'nomination'))
  AND `id` NOT IN (SELECT `photo_media_id` FROM `honorees` WHERE `photo_media_id` IS NOT NULL AND `photo_consent` = 1);
--> statement-breakpoint
-- No reference may dangle: media ids are reused after a delete, and a stale one would show another picture.
UPDATE `honorees` SET `photo_media_id` = NULL WHERE `photo_media_id` IS NOT NULL AND `photo_media_id` NOT IN (SELECT `id` FROM `media`);
--> statement-breakpoint
UPDATE `articles` SET `cover_media_id` = NULL WHERE `cover_media_id` IS NOT NULL AND `cover_media_id` NOT IN (SELECT `id` FROM `media`);
--> statement-breakpoint
UPDATE `article_revisions` SET `content` = json_set(`content`, '$.coverMediaId', NULL)
  WHERE json_valid(`content`) AND json_extract(`content`, '$.coverMediaId') IS NOT NULL AND json_extract(`content`, '$.coverMediaId') NOT IN (SELECT `id` FROM `media`);
--> statement-breakpoint
-- Where the library's files are used (kept up to date from here on by db/sql/media.sql).
INSERT OR IGNORE INTO `media_uses` (`media_id`, `subject_type`, `subject_id`, `role`)
  SELECT m.`id`, 'article', a.`id`, 'cover' FROM `articles` a JOIN `media` m ON m.`id` = a.`cover_media_id` AND m.`kind` = 'image';
--> statement-breakpoint
INSERT OR IGNORE INTO `media_uses` (`media_id`, `subject_type`, `subject_id`, `role`)
  SELECT m.`id`, 'article', a.`id`, 'attachment' FROM `articles` a, json_each(CASE WHEN json_valid(a.`attachments`) THEN a.`attachments` ELSE '[]' END) j
  JOIN `media` m ON m.`id` = j.`value`;
--> statement-breakpoint
INSERT OR IGNORE INTO `media_uses` (`media_id`, `subject_type`, `subject_id`, `role`)
  SELECT m.`id`, 'article', a.`id`, 'body' FROM `articles` a JOIN `media` m ON instr(a.`body`, '/media/' || m.`file_key`) > 0;
--> statement-breakpoint
INSERT OR IGNORE INTO `media_uses` (`media_id`, `subject_type`, `subject_id`, `role`)
  SELECT m.`id`, 'honoree', h.`id`, 'story' FROM `honorees` h JOIN `media` m ON instr(h.`story`, '/media/' || m.`file_key`) > 0;
--> statement-breakpoint
ALTER TABLE `hour_records` DROP COLUMN `photo_media_id`;--> statement-breakpoint
ALTER TABLE `nominations` DROP COLUMN `photo_media_id`;--> statement-breakpoint
ALTER TABLE `lecture_orders` DROP COLUMN `photo_media_ids`;
