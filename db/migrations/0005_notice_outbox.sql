ALTER TABLE `notices` ADD `emailed_at` integer;--> statement-breakpoint
CREATE INDEX `notices_outbox` ON `notices` (`emailed_at`,`id`);