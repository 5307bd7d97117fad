CREATE TABLE "recon_balance_pages" (
	"flow_id" text NOT NULL,
	"scope" text NOT NULL,
	"payout_id" text NOT NULL,
	"page" bigint NOT NULL,
	"gen" bigint NOT NULL,
	"count" bigint NOT NULL,
	"data" text NOT NULL,
	CONSTRAINT "recon_balance_pages_flow_id_scope_payout_id_page_pk" PRIMARY KEY("flow_id","scope","payout_id","page")
);
--> statement-breakpoint
-- Stored rows move into pages of up to 1,000 in read order (seq), so a payout read before keeps its reference:
-- its digest hashes each row and a newline, which is what each page's text and a newline hash to.
INSERT INTO "recon_balance_pages" ("flow_id", "scope", "payout_id", "page", "gen", "count", "data")
SELECT "flow_id", "scope", "payout_id", "n" / 1000, MAX("gen"), COUNT(*), string_agg("data", E'\n' ORDER BY "seq")
FROM (
	SELECT *, ROW_NUMBER() OVER (PARTITION BY "flow_id", "scope", "payout_id" ORDER BY "seq") - 1 AS "n"
	FROM "recon_balance_transactions"
) AS "t"
GROUP BY "flow_id", "scope", "payout_id", "n" / 1000;--> statement-breakpoint
DROP TABLE "recon_balance_transactions" CASCADE;