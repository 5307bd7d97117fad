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
CREATE INDEX `flow_change_requests_status` ON `flow_change_requests` (`status`);