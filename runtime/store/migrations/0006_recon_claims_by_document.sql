-- Claims are read by document only: the table becomes WITHOUT ROWID (its primary key its one B-tree; drizzle's schema
-- cannot declare that, so the table is made here) and loses the by-payout index. `seq` keeps the claim order that
-- rowid gave: the old rows take their rowid, which only ever grew in claim order.
CREATE TABLE `__new_recon_claims` (
	`flow_id` text NOT NULL,
	`scope` text NOT NULL,
	`doc_uid` text NOT NULL,
	`payout_id` text NOT NULL,
	`item` text NOT NULL,
	`matched_by` text NOT NULL,
	`claimed_at` integer NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `scope`, `doc_uid`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_recon_claims` (`flow_id`, `scope`, `doc_uid`, `payout_id`, `item`, `matched_by`, `claimed_at`, `seq`)
  SELECT `flow_id`, `scope`, `doc_uid`, `payout_id`, `item`, `matched_by`, `claimed_at`, `rowid` FROM `recon_claims` ORDER BY `flow_id`, `scope`, `doc_uid`;
--> statement-breakpoint
DROP TABLE `recon_claims`;
--> statement-breakpoint
ALTER TABLE `__new_recon_claims` RENAME TO `recon_claims`;
