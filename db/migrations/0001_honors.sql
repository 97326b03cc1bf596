ALTER TABLE `honor_batches` ADD `updated_at` integer;--> statement-breakpoint
ALTER TABLE `honor_batches` ADD `rev` text;--> statement-breakpoint
ALTER TABLE `honorees` ADD `created_by` integer;--> statement-breakpoint
ALTER TABLE `honorees` ADD `withdrawn_at` integer;--> statement-breakpoint
ALTER TABLE `honorees` ADD `withdrawn_by` integer;--> statement-breakpoint
ALTER TABLE `honorees` ADD `rev` text;--> statement-breakpoint
ALTER TABLE `nominations` ADD `handled_by` integer;--> statement-breakpoint
ALTER TABLE `nominations` ADD `handled_at` integer;