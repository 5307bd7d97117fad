CREATE TABLE `recon_settlements` (
	`flow_id` text NOT NULL,
	`scope` text NOT NULL,
	`payout_id` text NOT NULL,
	`status` text NOT NULL,
	`data` text NOT NULL,
	`result` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `scope`, `payout_id`)
);
--> statement-breakpoint
CREATE INDEX `recon_settlements_status` ON `recon_settlements` (`flow_id`,`scope`,`status`);