CREATE TABLE `business_claim_uses` (
	`run_id` text NOT NULL,
	`node_id` text NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`run_id`, `node_id`, `key`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `business_claim_uses_key` ON `business_claim_uses` (`key`);--> statement-breakpoint
CREATE TABLE `business_claims` (
	`key` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`state` text NOT NULL,
	`document` text,
	`claimed_at` integer NOT NULL,
	`completed_at` integer,
	`node_id` text
);
--> statement-breakpoint
CREATE INDEX `business_claims_run` ON `business_claims` (`run_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`dedup_key` text,
	`topic` text,
	`payload` text NOT NULL,
	`meta` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_dedup` ON `events` (`source`,`dedup_key`);--> statement-breakpoint
CREATE INDEX `events_received` ON `events` (`received_at`);--> statement-breakpoint
CREATE TABLE `flow_state` (
	`flow_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `flow_versions` (
	`flow_id` text NOT NULL,
	`version` integer NOT NULL,
	`hash` text NOT NULL,
	`definition` text NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `version`),
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`draft` text NOT NULL,
	`draft_updated_at` integer NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`active_version` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `run_keys` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`run_id`, `key`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_keys_lookup` ON `run_keys` (`key`,`value`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`flow_version` integer NOT NULL,
	`event_id` text NOT NULL,
	`status` text NOT NULL,
	`replay_of` text,
	`lease_owner` text,
	`lease_until` integer,
	`available_at` integer NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `runs_queue` ON `runs` (`status`,`available_at`);--> statement-breakpoint
CREATE INDEX `runs_flow` ON `runs` (`flow_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_created` ON `runs` (`created_at`);--> statement-breakpoint
CREATE TABLE `steps` (
	`run_id` text NOT NULL,
	`node_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`port` text,
	`output` text,
	`error` text,
	`reused_from` text,
	`started_at` integer,
	`finished_at` integer,
	`reads` text,
	PRIMARY KEY(`run_id`, `node_id`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
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
CREATE INDEX `recon_balance_transactions_seq` ON `recon_balance_transactions` (`flow_id`,`scope`,`payout_id`,`seq`);--> statement-breakpoint
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
CREATE INDEX `recon_payouts_status` ON `recon_payouts` (`flow_id`,`scope`,`status`,`issued_at`);--> statement-breakpoint
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
CREATE INDEX `recon_settlements_status` ON `recon_settlements` (`flow_id`,`scope`,`status`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`expires_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_user` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `compliance_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`connection_id` text NOT NULL,
	`topic` text NOT NULL,
	`shop_domain` text,
	`event_id` text NOT NULL,
	`summary` text NOT NULL,
	`received_at` integer NOT NULL,
	`handled_at` integer
);
--> statement-breakpoint
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`provider` text NOT NULL,
	`name` text NOT NULL,
	`config` text NOT NULL,
	`secrets` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `flow_approval_policies` (
	`flow_id` text PRIMARY KEY NOT NULL,
	`client_changes_need_approval` integer DEFAULT false NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `flow_change_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`status` text NOT NULL,
	`definition` text NOT NULL,
	`draft_hash` text NOT NULL,
	`base_version` integer,
	`message` text NOT NULL,
	`dry_run` text,
	`dry_run_error` text,
	`diff` text NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` integer NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`reason` text,
	`published_version` integer
);
--> statement-breakpoint
CREATE INDEX `flow_change_requests_flow` ON `flow_change_requests` (`flow_id`,`requested_at`);--> statement-breakpoint
CREATE INDEX `flow_change_requests_status` ON `flow_change_requests` (`status`);--> statement-breakpoint
CREATE TABLE `server_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `webhook_digests` (
	`digest` text PRIMARY KEY NOT NULL,
	`connection_id` text NOT NULL,
	`topic` text NOT NULL,
	`event_id` text NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_digests_seen` ON `webhook_digests` (`seen_at`);--> statement-breakpoint
CREATE TABLE `lookup_tables` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`scope` text NOT NULL,
	`name` text NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`kind` text DEFAULT 'generic' NOT NULL,
	`current_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lookup_tables_scope_name` ON `lookup_tables` (`scope`,`name`);--> statement-breakpoint
CREATE INDEX `lookup_tables_name` ON `lookup_tables` (`name`);--> statement-breakpoint
CREATE TABLE `lookup_uses` (
	`run_id` text NOT NULL,
	`node_id` text NOT NULL,
	`table_id` integer NOT NULL,
	`version` integer NOT NULL,
	`used_at` integer NOT NULL,
	PRIMARY KEY(`run_id`, `node_id`, `table_id`)
);
--> statement-breakpoint
CREATE INDEX `lookup_uses_table` ON `lookup_uses` (`table_id`,`version`);--> statement-breakpoint
CREATE TABLE `lookup_versions` (
	`table_id` integer NOT NULL,
	`version` integer NOT NULL,
	`columns` text NOT NULL,
	`rows` text NOT NULL,
	`row_count` integer NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`table_id`, `version`),
	FOREIGN KEY (`table_id`) REFERENCES `lookup_tables`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `exception_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`exception_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`note` text,
	`data` text,
	FOREIGN KEY (`exception_id`) REFERENCES `exceptions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `exception_events_exception` ON `exception_events` (`exception_id`,`id`);--> statement-breakpoint
CREATE TABLE `exception_runs` (
	`exception_id` text NOT NULL,
	`run_id` text NOT NULL,
	`flow_id` text,
	`status` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`exception_id`, `run_id`),
	FOREIGN KEY (`exception_id`) REFERENCES `exceptions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `exception_runs_run` ON `exception_runs` (`run_id`);--> statement-breakpoint
CREATE TABLE `exceptions` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`key` text NOT NULL,
	`title` text NOT NULL,
	`detail` text,
	`severity` text NOT NULL,
	`owner` text NOT NULL,
	`assignee` text,
	`state` text NOT NULL,
	`auto_resolved` integer DEFAULT false NOT NULL,
	`resolution_note` text,
	`resolved_by` text,
	`count` integer DEFAULT 1 NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`resolved_at` integer,
	`links` text DEFAULT '{}' NOT NULL,
	`data` text,
	`alerted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exceptions_unresolved_cause` ON `exceptions` (`type`,`key`) WHERE state <> 'resolved';--> statement-breakpoint
CREATE INDEX `exceptions_state` ON `exceptions` (`state`,`owner`,`last_seen`);--> statement-breakpoint
CREATE INDEX `exceptions_type` ON `exceptions` (`type`,`state`);--> statement-breakpoint
CREATE TABLE `monitor_samples` (
	`name` text NOT NULL,
	`at` integer NOT NULL,
	`value` text NOT NULL,
	`labels` text
);
--> statement-breakpoint
CREATE INDEX `monitor_samples_name` ON `monitor_samples` (`name`,`at`);