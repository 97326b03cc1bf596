ALTER TABLE `teams` ADD `public_contact` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `teams` ADD `public_contact_user_id` integer;