-- One worker cycle per order: claim a queued run with SKIP LOCKED, commit its steps (batched: 3 commits of 3 steps),
-- finish it. Mirrors runtime/queue.ts and the step batching of runtime/executor.ts.
\set t random(1, 2000000000)
BEGIN;
UPDATE runs SET status = 'running', lease_owner = 'w' || :client_id, lease_until = :t + 30000, started_at = :t
 WHERE (workspace_id, id) = (SELECT workspace_id, id FROM runs WHERE status = 'queued' ORDER BY available_at LIMIT 1 FOR UPDATE SKIP LOCKED)
 RETURNING workspace_id AS ws, id AS rid \gset
COMMIT;
BEGIN;
INSERT INTO steps VALUES (CAST(:ws AS text), CAST(:rid AS text), 'trigger', 'succeeded', repeat('t', 2000), CAST(:t AS bigint)), (CAST(:ws AS text), CAST(:rid AS text), 'gate', 'succeeded', '{"pass": true}', CAST(:t AS bigint)), (CAST(:ws AS text), CAST(:rid AS text), 'map', 'succeeded', repeat('m', 1500), CAST(:t AS bigint));
COMMIT;
BEGIN;
INSERT INTO steps VALUES (CAST(:ws AS text), CAST(:rid AS text), 'tax', 'succeeded', repeat('x', 300), CAST(:t AS bigint)), (CAST(:ws AS text), CAST(:rid AS text), 'loc', 'succeeded', repeat('l', 100), CAST(:t AS bigint)), (CAST(:ws AS text), CAST(:rid AS text), 'customer', 'succeeded', repeat('c', 200), CAST(:t AS bigint));
COMMIT;
BEGIN;
INSERT INTO steps VALUES (CAST(:ws AS text), CAST(:rid AS text), 'post', 'succeeded', repeat('p', 400), CAST(:t AS bigint)), (CAST(:ws AS text), CAST(:rid AS text), 'confirm', 'succeeded', repeat('c', 200), CAST(:t AS bigint)), (CAST(:ws AS text), CAST(:rid AS text), 'done', 'succeeded', '{}', CAST(:t AS bigint));
UPDATE runs SET status = 'succeeded', finished_at = :t, lease_owner = NULL WHERE workspace_id = :ws AND id = :rid;
COMMIT;
