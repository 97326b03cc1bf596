ALTER TABLE `objections` ADD `tracking_no` text;--> statement-breakpoint
ALTER TABLE `objections` ADD `track_pin` text;--> statement-breakpoint
UPDATE `objections` SET `tracking_no` = 'YY-' || strftime('%Y', (`created_at` + 28800000) / 1000, 'unixepoch') || '-' || upper(hex(randomblob(3))) WHERE `tracking_no` IS NULL;--> statement-breakpoint
UPDATE `objections` SET `track_pin` = substr(replace(replace(`contact`, ' ', ''), '-', ''), -4) WHERE `track_pin` IS NULL AND replace(replace(`contact`, ' ', ''), '-', '') GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9]';--> statement-breakpoint
CREATE UNIQUE INDEX `objections_tracking_no_unique` ON `objections` (`tracking_no`);
