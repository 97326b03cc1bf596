CREATE TABLE `service_order_files` (
	`file_id` integer PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`note_id` integer
);
--> statement-breakpoint
CREATE INDEX `service_order_files_order` ON `service_order_files` (`order_id`,`note_id`);--> statement-breakpoint
CREATE TABLE `service_order_notes` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`body` text NOT NULL,
	`to_resident` integer DEFAULT 0 NOT NULL,
	`note_key` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `service_order_notes_note_key_unique` ON `service_order_notes` (`note_key`);--> statement-breakpoint
CREATE INDEX `service_order_notes_order` ON `service_order_notes` (`order_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `events` ADD `service_order_id` integer;--> statement-breakpoint
CREATE INDEX `events_service_order` ON `events` (`service_order_id`);--> statement-breakpoint
ALTER TABLE `service_orders` ADD `served_volunteers` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `beneficiaries` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `hours_recorded` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `no_event_reason` text;--> statement-breakpoint
CREATE INDEX `hours_event` ON `hour_records` (`event_id`,`status`);