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
