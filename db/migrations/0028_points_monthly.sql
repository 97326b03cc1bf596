CREATE TABLE `stats_points_monthly` (
	`month` text PRIMARY KEY NOT NULL,
	`issued` integer DEFAULT 0 NOT NULL,
	`spent` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- The months the ledger already holds (the insert trigger in db/sql/stats.sql keeps it from here on).
INSERT INTO `stats_points_monthly` (`month`, `issued`, `spent`)
SELECT strftime('%Y-%m', (`created_at` + 28800000) / 1000, 'unixepoch') AS m,
  sum(CASE WHEN `source_type` IN ('hour_record', 'grant') THEN `amount` ELSE 0 END),
  -sum(CASE WHEN `source_type` = 'shop_order' THEN `amount` ELSE 0 END)
FROM `points_entries` WHERE `kind` = 'volunteer' GROUP BY m;
