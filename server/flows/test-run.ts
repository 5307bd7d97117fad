// "Test" in the designer: runs the current DRAFT once without publishing it. The draft is frozen as a version of a
// hidden companion flow `__test.<flowId>`, so the real flow's history and active version are untouched; the run is
// recorded like any other but under that companion id, which every production view leaves out (isTestFlow).
//
// The input is one of: the trigger's sample (its converted output, pinned as the trigger's step: it is NOT a raw
// webhook and must not be fed to the trigger again), a pasted webhook body or trigger output, a past run's event, or
// an order read from the flow's Shopify connection. With `nodeId` the run stops after that node; with `pinFrom` the
// steps upstream of it keep the outputs of an earlier run (n8n's "pin data"), so one node can be executed alone.
import { and, eq, inArray, notExists, notInArray, sql } from 'drizzle-orm';
import type { Runtime } from '../../runtime/index.ts';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { events, runKeys, runs, steps } from '../../runtime/store/schema.ts';
import type { RunRecord } from '../../runtime/runs.ts';
import { FlowInvalidError, NotFoundError } from '../../runtime/flow-store.ts';
import { validateFlow } from '../../flows/validate.ts';
import { contentHash } from '../../runtime/ids.ts';
import type { Flow } from '../../flows/schema.ts';
import { eventPayloadText } from '../../runtime/event-payload.ts';
import { OUTPUT_REBUILT } from '../../runtime/stored-output.ts';

export const TEST_PREFIX = '__test.';
export const isTestFlow = (id: string) => id.startsWith(TEST_PREFIX);
export const testFlowId = (flowId: string) => TEST_PREFIX + flowId;
/** The event source of test runs: kept apart from webhooks, schedules and sweeps. */
export const TEST_SOURCE = 'test';

export type TestInput =
  | { kind: 'sample' }
  /** A pasted webhook body (text keeps 18-digit ids exact) or JSON; a converted trigger output is pinned instead. */
  | { kind: 'payload'; body: unknown }
  | { kind: 'run'; runId: string }
  /** An order of the trigger's Shopify store (sandbox or real), read through the Admin API as a sweep would. */
  | { kind: 'store'; orderId: string };

export interface TestInputInfo {
  kind: TestInput['kind'];
  label: string;
}

export type TestRunRecord = RunRecord & { input: TestInputInfo; pinned: string[] };

/** Reads one order of a Shopify connection as a trigger delivery ({ body, headers }). Provided by the host. */
export type StoreOrderReader = (connectionId: string, orderId: string, topic: string) => Promise<{ delivery: unknown; label: string }>;

export class TestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TestInputError';
  }
}

/** The node and everything upstream of it. */
export function upTo(flow: Flow, nodeId: string): Flow {
  if (!flow.nodes.some((n) => n.id === nodeId)) {
    throw new FlowInvalidError(flow.id, [{ where: nodeId, path: '$.nodeId', message: `node "${nodeId}" is not in the draft` }]);
  }
  const keep = new Set([nodeId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of flow.edges) if (keep.has(e.target) && !keep.has(e.source)) keep.add(e.source), (grew = true);
  }
  return { ...flow, nodes: flow.nodes.filter((n) => keep.has(n.id)), edges: flow.edges.filter((e) => keep.has(e.source) && keep.has(e.target)) };
}

/** A converted trigger output (what shopify.trigger produces), as opposed to a raw webhook body. */
function looksConverted(v: unknown): boolean {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return false;
    }
  }
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && typeof (v as { event?: unknown }).event === 'object';
}

interface Pin {
  port: string | null;
  output: string;
}

export async function testRunDraft(
  rt: Runtime,
  flowId: string,
  opts: { input?: TestInput; event?: unknown; nodeId?: string; pinFrom?: string; timeoutMs?: number; readStoreOrder?: StoreOrderReader },
): Promise<TestRunRecord> {
  const summary = await rt.flows.get(flowId);
  const v = validateFlow(await rt.flows.draft(flowId), rt.lookup);
  if (!v.ok) throw new FlowInvalidError(flowId, v.problems);
  const testId = testFlowId(flowId);
  const flow = opts.nodeId ? upTo(v.flow, opts.nodeId) : v.flow;
  const doc = { ...flow, id: testId, name: `test of ${summary.name}` };
  try {
    await rt.flows.updateDraft(testId, doc);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    await rt.flows.create(doc);
  }
  const latest = await rt.flows.latestVersion(testId);
  const version =
    latest != null && (await rt.flows.version(testId, latest)).hash === contentHash(doc)
      ? latest
      : (await rt.flows.publish(testId, { message: 'test run' })).version;
  const triggerNode = flow.nodes.find((n) => rt.lookup(n.type)?.trigger);
  const triggerType = triggerNode ? rt.lookup(triggerNode.type) : undefined;
  const input: TestInput = opts.input ?? (opts.event !== undefined ? { kind: 'payload', body: opts.event } : { kind: 'sample' });
  const pins = new Map<string, Pin>();
  let payload: unknown;
  let label: string;
  const store = rt.store.sql({ events, runs, steps });
  const { events: ev, runs: rn, steps: st } = store.tables;
  const eventOfRun = async (runId: string) => {
    const [row] = await store.db
      .select({ flowId: rn.flowId, payload: ev.payload, body: ev.body })
      .from(rn)
      .innerJoin(ev, eq(ev.id, rn.eventId))
      .where(eq(rn.id, runId));
    return row;
  };

  switch (input.kind) {
    case 'sample': {
      const given = (triggerNode?.config as { sampleEvent?: unknown } | undefined)?.sampleEvent;
      if (given !== undefined) {
        // An event the flow's author wrote into the trigger is a raw event: the trigger runs on it.
        payload = given;
      } else {
        // The catalog's sample is the trigger's OUTPUT: pin it as the trigger's step instead of feeding it back in as
        // a raw event (a converted Shopify order is not a webhook body).
        payload = triggerType?.sampleOutput ?? {};
        if (triggerNode) pins.set(triggerNode.id, { port: null, output: JSON.stringify(payload) });
      }
      label = `Sample of ${triggerType?.title ?? 'the trigger'}`;
      break;
    }
    case 'payload': {
      payload = input.body;
      if (triggerNode && looksConverted(input.body)) {
        pins.set(triggerNode.id, { port: null, output: typeof input.body === 'string' ? input.body : JSON.stringify(input.body) });
        label = 'Pasted trigger output';
      } else label = 'Pasted event';
      break;
    }
    case 'run': {
      const row = await eventOfRun(input.runId);
      if (!row) throw new TestInputError(`run "${input.runId}" does not exist (or was pruned)`);
      if (row.flowId !== flowId && row.flowId !== testId) throw new TestInputError(`run "${input.runId}" belongs to flow "${row.flowId}", not "${flowId}"`);
      payload = eventPayloadText(row);
      label = `Event of run ${input.runId}`;
      break;
    }
    case 'store': {
      const cfg = (triggerNode?.config ?? {}) as { connection?: string; topic?: string };
      if (triggerNode?.type !== 'shopify.trigger' || !cfg.connection)
        throw new TestInputError('an order from the store needs a Shopify trigger with a connection');
      if (!opts.readStoreOrder) throw new TestInputError('this server cannot read orders from a store');
      const r = await opts.readStoreOrder(cfg.connection, input.orderId, cfg.topic ?? 'orders/paid');
      payload = r.delivery;
      label = r.label;
      break;
    }
  }

  if (opts.nodeId && opts.pinFrom) {
    const rows = await store.db
      .select({ nodeId: st.nodeId, port: st.port, output: st.output })
      .from(st)
      .innerJoin(rn, eq(rn.id, st.runId))
      .where(and(eq(st.runId, opts.pinFrom), eq(st.status, 'succeeded'), inArray(rn.flowId, [flowId, testId])));
    if (!rows.length) throw new TestInputError(`run "${opts.pinFrom}" has no finished steps of this flow to pin`);
    const byNode = new Map(rows.map((r) => [r.nodeId, r]));
    // An output its node makes again from its input (the trigger's, from the event) is pinned as it was in that run:
    // this test's input may be another event.
    const rebuilt = rows.some((r) => r.output === OUTPUT_REBUILT) ? await rt.runs.get(opts.pinFrom) : undefined;
    for (const n of flow.nodes) {
      const r = byNode.get(n.id);
      if (n.id === opts.nodeId || !r) continue;
      const output = r.output === OUTPUT_REBUILT ? JSON.stringify(rebuilt?.steps.find((x) => x.nodeId === n.id)?.output ?? null) : r.output;
      pins.set(n.id, { port: r.port, output: output ?? 'null' });
    }
    // The pinned run's event stays the event, so the trigger's recorded input is the real one.
    const pinnedEvent = await eventOfRun(opts.pinFrom);
    if (pinnedEvent && input.kind === 'sample' && !opts.input) payload = pinnedEvent.payload;
  }

  const { eventId } = await rt.queue.ingest({
    source: TEST_SOURCE,
    topic: `test:${flowId}`,
    payload,
    meta: { input: { kind: input.kind, label } },
    targets: [],
  });
  const t = Date.now();
  // The pins are written in the run's own transaction (the queue's, on SQLite), before any worker can claim it.
  const pinStore = rt.store.sql({ steps });
  const pinRows = (runId: string) =>
    [...pins].map(([nodeId, p]) => ({
      runId,
      nodeId,
      status: 'succeeded',
      attempts: 0,
      port: p.port,
      output: p.output,
      reusedFrom: 'pinned',
      startedAt: t,
      finishedAt: t,
    }));
  const runId = await rt.queue.enqueueRun(eventId, { flowId: testId, version }, null, async (id) => {
    if (pins.size) await pinStore.db.insert(pinStore.tables.steps).values(pinRows(id));
  });
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const run = await rt.runs.get(runId);
    if ((run.status !== 'queued' && run.status !== 'running') || Date.now() > until)
      return { ...run, flowId, input: { kind: input.kind, label }, pinned: [...pins.keys()] };
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The test runs of a flow, newest first. */
export async function listTestRuns(rt: Runtime, flowId: string, limit = 50) {
  return (await rt.runs.list({ flowId: testFlowId(flowId), limit })).map((r) => ({ ...r, flowId }));
}

/** Deletes a flow's test runs, their steps, keys and events. Returns how many runs went. */
export async function clearTestRuns(rt: { store: Pick<AnyStore, 'sql'> }, flowId: string): Promise<number> {
  const store = rt.store.sql({ events, runKeys, runs, steps });
  const { events: ev, runKeys: k, runs: rn, steps: st } = store.tables;
  return store.tx(async (tx) => {
    const done = await tx
      .select({ id: rn.id, eventId: rn.eventId })
      .from(rn)
      .where(and(eq(rn.flowId, testFlowId(flowId)), notInArray(rn.status, ['queued', 'running'])));
    if (!done.length) return 0;
    const ids = done.map((r) => r.id);
    await tx.delete(st).where(inArray(st.runId, ids));
    await tx.delete(k).where(inArray(k.runId, ids));
    await tx.delete(rn).where(inArray(rn.id, ids));
    // An event goes with its last run (a test event is only ever a test run's).
    const stillUsed = tx.select({ one: sql`1` }).from(rn).where(eq(rn.eventId, ev.id));
    await tx.delete(ev).where(and(inArray(ev.id, [...new Set(done.map((r) => r.eventId))]), eq(ev.source, TEST_SOURCE), notExists(stillUsed)));
    return done.length;
  });
}
