CREATE TABLE `business_claims` (
	`key` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`state` text NOT NULL,
	`document` text,
	`claimed_at` integer NOT NULL,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `business_claims_run` ON `business_claims` (`run_id`);