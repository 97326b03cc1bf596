CREATE INDEX `events_public_end` ON `events` (`ends_at`,`starts_at`) WHERE status IN ('published','completed');--> statement-breakpoint
CREATE INDEX `events_public_category` ON `events` (`category`,`ends_at`,`starts_at`) WHERE status IN ('published','completed');--> statement-breakpoint
CREATE INDEX `service_orders_public` ON `service_orders` (`created_at`,`id`) WHERE public_consent = 1 AND status <> 'rejected';--> statement-breakpoint
CREATE INDEX `teams_status_minutes` ON `teams` (`status`,"confirmed_minutes" desc,`id`);