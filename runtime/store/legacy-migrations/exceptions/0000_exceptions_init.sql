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