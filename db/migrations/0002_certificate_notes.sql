ALTER TABLE `certificates` ADD `note` text;--> statement-breakpoint
ALTER TABLE `certificates` ADD `decline_reason` text;