CREATE TABLE `shopify_bucket_holds` (
	`id` text PRIMARY KEY NOT NULL,
	`shop` text NOT NULL,
	`cost` real NOT NULL,
	`until` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `shopify_bucket_holds_shop` ON `shopify_bucket_holds` (`shop`,`until`);--> statement-breakpoint
CREATE TABLE `shopify_buckets` (
	`shop` text PRIMARY KEY NOT NULL,
	`available` real NOT NULL,
	`maximum` real NOT NULL,
	`restore_rate` real NOT NULL,
	`at` integer NOT NULL
);
