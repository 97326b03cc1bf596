DELETE FROM `rate_limits`;--> statement-breakpoint
ALTER TABLE `rate_limits` ADD `reset_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `sessions_expires` ON `sessions` (`expires_at`);