CREATE TABLE `webhook_digests` (
	`digest` text PRIMARY KEY NOT NULL,
	`connection_id` text NOT NULL,
	`topic` text NOT NULL,
	`event_id` text NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_digests_seen` ON `webhook_digests` (`seen_at`);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;