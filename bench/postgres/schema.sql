-- The hot tables of the durable path as the PostgreSQL store would hold them (workspace-scoped), for pgbench.
DROP TABLE IF EXISTS steps, runs, events;
CREATE TABLE events (
  workspace_id text NOT NULL, id text NOT NULL, source text NOT NULL, dedup_key text, topic text,
  payload text NOT NULL, received_at bigint NOT NULL, PRIMARY KEY (workspace_id, id));
CREATE UNIQUE INDEX events_dedup ON events (workspace_id, source, dedup_key);
CREATE TABLE runs (
  workspace_id text NOT NULL, id text NOT NULL, flow_id text NOT NULL, event_id text NOT NULL, status text NOT NULL,
  lease_owner text, lease_until bigint, available_at bigint NOT NULL, created_at bigint NOT NULL,
  started_at bigint, finished_at bigint, PRIMARY KEY (workspace_id, id));
CREATE INDEX runs_queue ON runs (status, available_at) WHERE status IN ('queued', 'running');
CREATE TABLE steps (
  workspace_id text NOT NULL, run_id text NOT NULL, node_id text NOT NULL, status text NOT NULL,
  output text, finished_at bigint, PRIMARY KEY (workspace_id, run_id, node_id));
