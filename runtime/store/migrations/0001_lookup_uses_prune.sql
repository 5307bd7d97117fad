-- Uses belong to runs: when the runtime's retention deletes a run, its lookup uses go too (a trigger: drizzle's
-- schema cannot declare one, so it lives here as a custom migration).
CREATE TRIGGER IF NOT EXISTS `lookup_uses_prune` AFTER DELETE ON `runs` BEGIN DELETE FROM `lookup_uses` WHERE `run_id` = OLD.`id`; END;
