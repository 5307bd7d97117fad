CREATE TABLE `business_claim_uses` (
	`run_id` text NOT NULL REFERENCES `runs`(`id`) ON DELETE CASCADE,
	`node_id` text NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`run_id`, `node_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `business_claim_uses_key` ON `business_claim_uses` (`key`);
