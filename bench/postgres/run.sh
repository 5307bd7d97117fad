#!/usr/bin/env bash
# PostgreSQL capacity of Ledgerline's durable path on this machine (pgbench; PostgreSQL 15 at 127.0.0.1:5432).
# Usage: bench/postgres/run.sh [seconds]   — creates and drops the database ledgerline_bench.
set -euo pipefail
cd "$(dirname "$0")"
T=${1:-15}
PG="-h 127.0.0.1 -U postgres"
dropdb $PG --if-exists ledgerline_bench; createdb $PG ledgerline_bench
psql $PG -q -d ledgerline_bench -f schema.sql
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in 1 8 32; do
  echo "== ingest, $c clients"; pgbench $PG -n -f ingest.sql -c $c -j 2 -T "$T" ledgerline_bench | grep -E "tps|latency average"
done
psql $PG -q -d ledgerline_bench -c "INSERT INTO runs (workspace_id, id, flow_id, event_id, status, available_at, created_at) SELECT 'w'||(g%50), 'q'||g, 'f', 'e', 'queued', g, 0 FROM generate_series(1, 400000) g"
for c in 1 4 16; do
  echo "== worker cycle (claim + 9 steps in 3 commits + finish), $c clients"; pgbench $PG -n -M extended -f work.sql -c $c -j 2 -T "$T" ledgerline_bench | grep -E "tps|latency average"
done
psql $PG -d ledgerline_bench -At -c "SHOW synchronous_commit" | sed 's/^/synchronous_commit: /'
dropdb $PG ledgerline_bench
