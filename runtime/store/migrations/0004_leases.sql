CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL,
	`acquired_at` integer NOT NULL,
	`term` integer NOT NULL
);
