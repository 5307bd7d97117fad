// Runs as the executor would have left them (run, event, steps, business keys, claims), written with the SqlStore
// builders so a test of the rooms that read runs seeds either store the same way.
import type { AnyStore } from '../store/any-store.ts';
import { businessClaims, businessClaimUses, events, runKeys, runs, steps } from '../store/schema.ts';

export const runTables = { runs, steps, events, runKeys, businessClaims, businessClaimUses };

export interface StepRow {
  nodeId: string;
  status: string;
  output?: unknown;
  error?: unknown;
  port?: string;
  attempts?: number;
  reusedFrom?: string;
  reads?: unknown;
  startedAt?: number;
  finishedAt?: number;
}

export interface RunRow {
  id: string;
  flowId?: string;
  flowVersion?: number;
  status: string;
  createdAt: number;
  finishedAt?: number | null;
  /** Default `evt_<run id>`, stored with `payload` when it is not stored yet. */
  eventId?: string;
  payload?: unknown;
  /** When the event arrived (default createdAt). */
  receivedAt?: number;
  error?: unknown;
  replayOf?: string;
  keys?: Record<string, string>;
  steps?: StepRow[];
  /** Business-key claims a step of this run completed: key → [node id, document]. */
  claims?: Record<string, [string, string | null]>;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export async function seedRuns(store: AnyStore, rows: RunRow[]): Promise<void> {
  const s = store.sql(runTables);
  const t = s.tables;
  await s.tx(async (db) => {
    for (const r of rows) {
      const eventId = r.eventId ?? `evt_${r.id}`;
      await db
        .insert(t.events)
        .values({ id: eventId, source: 'manual', payload: json(r.payload ?? {})!, receivedAt: r.receivedAt ?? r.createdAt })
        .onConflictDoNothing();
      const finished = !['queued', 'running'].includes(r.status);
      await db.insert(t.runs).values({
        id: r.id,
        flowId: r.flowId ?? 'f',
        flowVersion: r.flowVersion ?? 1,
        eventId,
        status: r.status,
        replayOf: r.replayOf ?? null,
        availableAt: r.createdAt,
        error: json(r.error),
        createdAt: r.createdAt,
        startedAt: r.createdAt,
        finishedAt: r.finishedAt !== undefined ? r.finishedAt : finished ? r.createdAt + 10 : null,
      });
      for (const [i, st] of (r.steps ?? []).entries()) {
        await db.insert(t.steps).values({
          runId: r.id,
          nodeId: st.nodeId,
          status: st.status,
          attempts: st.attempts ?? 1,
          port: st.port ?? null,
          output: json(st.output),
          error: json(st.error),
          reusedFrom: st.reusedFrom ?? null,
          reads: json(st.reads),
          startedAt: st.startedAt ?? r.createdAt + i,
          finishedAt: st.finishedAt ?? r.createdAt + i + 1,
        });
      }
      for (const [key, value] of Object.entries(r.keys ?? {})) await db.insert(t.runKeys).values({ runId: r.id, key, value });
      for (const [key, [nodeId, document]] of Object.entries(r.claims ?? {})) {
        await db
          .insert(t.businessClaims)
          .values({ key, runId: r.id, flowId: r.flowId ?? 'f', state: 'done', document, claimedAt: r.createdAt, completedAt: r.createdAt + 5, nodeId });
        await db.insert(t.businessClaimUses).values({ runId: r.id, nodeId, key });
      }
    }
  });
}
