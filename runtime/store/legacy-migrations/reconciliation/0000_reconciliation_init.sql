CREATE TABLE `recon_claims` (
	`flow_id` text NOT NULL,
	`scope` text NOT NULL,
	`doc_uid` text NOT NULL,
	`payout_id` text NOT NULL,
	`item` text NOT NULL,
	`matched_by` text NOT NULL,
	`claimed_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `scope`, `doc_uid`)
);
--> statement-breakpoint
CREATE INDEX `recon_claims_payout` ON `recon_claims` (`flow_id`,`scope`,`payout_id`);--> statement-breakpoint
CREATE TABLE `recon_payouts` (
	`flow_id` text NOT NULL,
	`scope` text NOT NULL,
	`payout_id` text NOT NULL,
	`status` text NOT NULL,
	`issued_at` text NOT NULL,
	`data` text,
	`journal` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `scope`, `payout_id`)
);
--> statement-breakpoint
CREATE INDEX `recon_payouts_status` ON `recon_payouts` (`flow_id`,`scope`,`status`,`issued_at`);