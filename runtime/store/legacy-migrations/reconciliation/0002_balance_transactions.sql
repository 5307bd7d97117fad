CREATE TABLE `recon_balance_transactions` (
	`flow_id` text NOT NULL,
	`scope` text NOT NULL,
	`payout_id` text NOT NULL,
	`tx_id` text NOT NULL,
	`seq` integer NOT NULL,
	`gen` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`flow_id`, `scope`, `payout_id`, `tx_id`)
);
--> statement-breakpoint
CREATE INDEX `recon_balance_transactions_seq` ON `recon_balance_transactions` (`flow_id`,`scope`,`payout_id`,`seq`);