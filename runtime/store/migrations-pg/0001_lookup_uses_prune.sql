-- Uses belong to runs: when the runtime's retention deletes runs, their lookup uses go too, as SQLite's trigger of
-- the same name does (drizzle's schema cannot declare a trigger, so it lives here as a custom migration). Once per
-- statement over the deleted rows, as retention deletes runs in batches. "public". is the workspace's schema here
-- (runtime/store/pg-migrate.ts puts each migration in it), so the function reads that schema's table whatever the
-- search_path of the session deleting.
CREATE FUNCTION "public"."lookup_uses_prune"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "public"."lookup_uses" u USING gone WHERE u.run_id = gone.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "lookup_uses_prune" AFTER DELETE ON "public"."runs" REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "public"."lookup_uses_prune"();
