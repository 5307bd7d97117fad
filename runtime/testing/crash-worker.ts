// A worker process for the crash test: runs queued runs until it is killed. Its `test.sink` node is a
// non-idempotent write that records every execution, and deduplicates by the idempotency key like a real ERP.
import Database from 'better-sqlite3';
import { z } from 'zod';
import { createRuntime } from '../index.ts';
import { createSandbox } from '../sandbox/index.ts';
import { coreNodes } from '../../nodes/core/index.ts';
import { defineNode, type NodeType } from '../node-api.ts';

export function sinkNode(sinkPath: string): NodeType {
  const db = new Database(sinkPath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, run_id TEXT NOT NULL);
           CREATE TABLE IF NOT EXISTS executions (key TEXT NOT NULL, run_id TEXT NOT NULL, attempt INTEGER NOT NULL)`);
  const exec = db.prepare(`INSERT INTO executions (key, run_id, attempt) VALUES (?, ?, ?)`);
  const effect = db.prepare(`INSERT OR IGNORE INTO effects (key, run_id) VALUES (?, ?)`);
  return defineNode({
    type: 'test.sink',
    version: 1,
    title: 'Sink',
    category: 'erp',
    description: 'records a side effect once per idempotency key',
    config: z.object({}),
    inputs: [{ id: 'in' }],
    outputs: [{ id: 'out' }],
    idempotent: false,
    sampleOutput: {} as unknown,
    execute: (ctx, input: unknown) => {
      exec.run(ctx.idempotencyKey ?? '', ctx.runId, ctx.attempt);
      effect.run(ctx.idempotencyKey, ctx.runId);
      return { stored: input };
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dataDir, sinkPath] = process.argv.slice(2);
  if (!dataDir || !sinkPath) throw new Error('usage: crash-worker.ts <dataDir> <sinkPath>');
  const types = [...coreNodes, sinkNode(sinkPath)];
  const sandbox = createSandbox({ processes: 1 });
  const rt = createRuntime({ dataDir, lookup: (t) => types.find((x) => x.type === t), sandbox, worker: { concurrency: 8, leaseMs: 1000, pollMs: 20 } });
  rt.start();
  process.send?.('ready');
}
