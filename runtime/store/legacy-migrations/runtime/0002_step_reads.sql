ALTER TABLE `steps` ADD `reads` text;
--> statement-breakpoint
ALTER TABLE `business_claims` ADD `node_id` text;
