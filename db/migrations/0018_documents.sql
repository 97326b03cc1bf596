ALTER TABLE `honorees` ADD `birth_month_enc` text;--> statement-breakpoint
ALTER TABLE `honorees` ADD `ethnicity` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `honorees` ADD `political_status` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `honorees` ADD `workplace` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `honorees` ADD `main_deeds` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `honorees` ADD `id_photo_file_id` integer;--> statement-breakpoint
ALTER TABLE `honorees` ADD `life_photo_file_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `honorees` ADD `recommend_consent_at` integer;--> statement-breakpoint
ALTER TABLE `honorees` ADD `recommend_consent_by` integer;--> statement-breakpoint
ALTER TABLE `honorees` ADD `recommend_consent_note` text;--> statement-breakpoint
ALTER TABLE `review_steps` ADD `secrecy_opinion` text DEFAULT '' NOT NULL;