-- Claims are read by document only: the by-payout index goes. `seq` keeps the claim order the rows' heap order gave
-- within a commit (`claimsOf` orders by claimed_at, then seq).
DROP INDEX "recon_claims_payout";--> statement-breakpoint
ALTER TABLE "recon_claims" ADD COLUMN "seq" bigint;--> statement-breakpoint
UPDATE "recon_claims" c SET "seq" = o.n FROM (SELECT ctid AS t, row_number() OVER (ORDER BY "claimed_at", ctid) AS n FROM "recon_claims") o WHERE c.ctid = o.t;--> statement-breakpoint
ALTER TABLE "recon_claims" ALTER COLUMN "seq" SET NOT NULL;
