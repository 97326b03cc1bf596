ALTER TABLE `article_revisions` ADD `submitted_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `revisions_one_open` ON `article_revisions` (`article_id`) WHERE status IN ('draft','returned','submitted','in_review');--> statement-breakpoint
ALTER TABLE `articles` ADD `attachments` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `submitted_at` integer;--> statement-breakpoint
ALTER TABLE `lecture_orders` ADD `rated_at` integer;--> statement-breakpoint
ALTER TABLE `lecture_orders` ADD `photo_media_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `lecture_orders` ADD `handled_by` integer;