// Before a change goes live: the live version and the draft both dry-run (runtime/dry-run.ts) on the flow's last N
// real events, and per event the documents they would send to the ERP are compared field by field. Nothing is
// written: no run or step, no ERP or Shopify write, no claim, no exception (what one would raise is reported).
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Runtime, DryRunResult } from '../../runtime/index.ts';
import { events, runKeys, runs } from '../../runtime/store/schema.ts';
import type { Flow } from '../../flows/schema.ts';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
import type { ExceptionSink, NodeServices, RaiseException } from '../../runtime/node-api.ts';
import { testServices } from './test-services.ts';
import { eventPayloadText } from '../../runtime/event-payload.ts';

export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface DocumentChange {
  nodeId: string;
  action: string;
  key?: string;
  /** The document the live version would send (absent: it would send none). */
  before?: unknown;
  after?: unknown;
  fields: FieldChange[];
}

export interface Outcome {
  status: DryRunResult['status'];
  /** Why it fails, is skipped, or where it stopped (a node that writes and cannot tell what). */
  message?: string;
  nodeId?: string;
  /** Exceptions the run would raise (not raised). */
  exceptions: string[];
}

/** `breaks`: the live version gets through, the draft would fail; `fixes`: the reverse. */
export type Verdict = 'changed' | 'unchanged' | 'breaks' | 'fixes' | 'fails';

export interface DryRunEvent {
  eventId: string;
  runId: string;
  /** The order name (or id) the event was about. */
  label: string;
  receivedAt: number;
  /** What the real run did. */
  runStatus: string;
  verdict: Verdict;
  before: Outcome | null;
  after: Outcome;
  documents: DocumentChange[];
}

export interface DryRunReport {
  flowId: string;
  /** The version the draft is compared with (the active one, else the latest); null before the first publish. */
  baseVersion: number | null;
  limit: number;
  events: DryRunEvent[];
  summary: Record<Verdict, number> & { events: number };
}

/** Leaf paths (`lines[0].taxCodes[0]`) and their values. */
function leaves(v: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(v)) {
    if (!v.length) out.set(prefix, []);
    v.forEach((x, i) => {
      leaves(x, `${prefix}[${i}]`, out);
    });
  } else if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (!entries.length) out.set(prefix, {});
    for (const [k, x] of entries) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
  return out;
}

export function fieldDiff(before: unknown, after: unknown): FieldChange[] {
  const a = leaves(before, '', new Map());
  const b = leaves(after, '', new Map());
  const out: FieldChange[] = [];
  for (const [path, v] of a) {
    if (!b.has(path)) out.push({ path, before: v });
    else if (JSON.stringify(b.get(path)) !== JSON.stringify(v)) out.push({ path, before: v, after: b.get(path) });
  }
  for (const [path, v] of b) if (!a.has(path)) out.push({ path, after: v });
  return out;
}

function outcome(r: DryRunResult, exceptions: string[]): Outcome {
  const stop = r.steps.find((s) => s.status === 'stopped');
  const why =
    r.status === 'failed'
      ? { message: r.error?.message, nodeId: r.error?.nodeId }
      : r.status === 'skipped'
        ? { message: r.skip?.message, nodeId: r.skip?.nodeId }
        : stop
          ? { message: `stops before "${stop.nodeId}": ${stop.reason}`, nodeId: stop.nodeId }
          : {};
  return { status: r.status, ...why, exceptions };
}

/** The writes of both runs paired by node and order, each pair compared field by field. */
function documents(before: DryRunResult | null, after: DryRunResult): DocumentChange[] {
  const out: DocumentChange[] = [];
  const seen = new Map<string, number>();
  const keyOf = (w: { nodeId: string; action: string }) => {
    const k = `${w.nodeId}\u0000${w.action}`;
    const i = seen.get(k) ?? 0;
    seen.set(k, i + 1);
    return `${k}\u0000${i}`;
  };
  const old = new Map((before?.writes ?? []).map((w) => [keyOf(w), w]));
  seen.clear();
  for (const w of after.writes) {
    const k = keyOf(w);
    const b = old.get(k);
    old.delete(k);
    out.push({
      nodeId: w.nodeId,
      action: w.action,
      ...(w.key !== undefined ? { key: w.key } : {}),
      ...(b ? { before: b.document } : {}),
      after: w.document,
      fields: fieldDiff(b?.document, w.document),
    });
  }
  for (const b of old.values())
    out.push({
      nodeId: b.nodeId,
      action: b.action,
      ...(b.key !== undefined ? { key: b.key } : {}),
      before: b.document,
      fields: fieldDiff(b.document, undefined),
    });
  return out;
}

/**
 * A flow that writes nothing (its result is its output, e.g. a mapping handed to another system): the outputs of its
 * end steps are what goes out, so they are compared instead.
 */
function endOutputs(flow: Flow | null, before: DryRunResult | null, after: DryRunResult, draft: Flow): DocumentChange[] {
  const ends = (f: Flow) => new Set(f.nodes.filter((n) => !f.edges.some((e) => e.source === n.id)).map((n) => n.id));
  const outputs = (r: DryRunResult | null, f: Flow | null) => {
    const keep = f ? ends(f) : new Set<string>();
    return new Map((r?.steps ?? []).filter((st) => keep.has(st.nodeId) && st.status === 'ran').map((st) => [st.nodeId, st.output]));
  };
  const b = outputs(before, flow);
  const a = outputs(after, draft);
  return [...new Set([...a.keys(), ...b.keys()])].map((nodeId) => ({
    nodeId,
    action: 'output',
    ...(b.has(nodeId) ? { before: b.get(nodeId) } : {}),
    ...(a.has(nodeId) ? { after: a.get(nodeId) } : {}),
    fields: fieldDiff(b.get(nodeId), a.get(nodeId)),
  }));
}

function verdict(before: DryRunResult | null, after: DryRunResult, docs: DocumentChange[]): Verdict {
  const failed = (r: DryRunResult | null) => r?.status === 'failed';
  if (failed(after)) return before && !failed(before) ? 'breaks' : 'fails';
  if (before && failed(before)) return 'fixes';
  return docs.some((d) => d.fields.length) ? 'changed' : 'unchanged';
}

/** Services of a dry run: lookup tables read only, no monitor series, exceptions collected instead of raised. */
function dryRunServices(real: NodeServices, raised: string[]): NodeServices {
  const exceptions: ExceptionSink = {
    raise: async (e: RaiseException) => {
      raised.push(e.title);
      return { id: 'dry-run', count: 1, isNew: true };
    },
    clear: async () => false,
    openKeys: async () => [],
  };
  return { ...testServices(real), exceptions };
}

export interface EventRow {
  runId: string;
  eventId: string;
  status: string;
  payload: string;
  receivedAt: number;
}

type RunTables = { events: typeof events; runKeys: typeof runKeys; runs: typeof runs };
const runTables = (from: Pick<AnyStore, 'sql'>): SqlStore<RunTables> => from.sql({ events, runKeys, runs });

/**
 * The flow's last `limit` real events (newest first), each with its latest run that finished with an outcome, and one
 * per Shopify object: an order arrives as orders/create and orders/paid, and trying the change on both would show the
 * same order twice (its newest event stands for it).
 */
export async function lastEvents(from: Pick<AnyStore, 'sql'>, flowId: string, limit: number): Promise<EventRow[]> {
  const store = runTables(from);
  const { runKeys: k } = store.tables;
  const keyOf = async (runId: string) => {
    const [row] = await store.db
      .select({ value: k.value })
      .from(k)
      .where(and(eq(k.runId, runId), inArray(k.key, ['shopifyOrderId', 'shopifyRefundId', 'shopifyPayoutId'])))
      .orderBy(k.key)
      .limit(1);
    return row?.value;
  };
  const seen = new Set<string>();
  const out: EventRow[] = [];
  for (const e of await recentEvents(store, flowId, limit * 3)) {
    const key = await keyOf(e.runId);
    if (key !== undefined && seen.has(key)) continue;
    if (key !== undefined) seen.add(key);
    const { body, ...row } = e;
    out.push({ ...row, payload: eventPayloadText({ payload: e.payload, body }) });
    if (out.length === limit) break;
  }
  return out;
}

function recentEvents(store: SqlStore<RunTables>, flowId: string, limit: number): Promise<(EventRow & { body: string | null })[]> {
  const { db } = store;
  const { runs: r, events: ev } = store.tables;
  // The alias is taken of this dialect's table (its pg-core form on PostgreSQL).
  const r2 = alias(r, 'r2');
  // The event's latest run in this flow (a replay's outcome stands for the event, not the run it replayed).
  const latestRunOfEvent = db
    .select({ id: r2.id })
    .from(r2)
    .where(and(eq(r2.flowId, r.flowId), eq(r2.eventId, r.eventId)))
    .orderBy(desc(r2.createdAt), desc(r2.id))
    .limit(1);
  return db
    .select({ runId: r.id, eventId: r.eventId, status: r.status, payload: ev.payload, body: ev.body, receivedAt: ev.receivedAt })
    .from(r)
    .innerJoin(ev, eq(ev.id, r.eventId))
    .where(and(eq(r.flowId, flowId), inArray(r.status, ['succeeded', 'failed']), eq(r.id, sql`${latestRunOfEvent}`)))
    .orderBy(desc(ev.receivedAt), desc(r.id))
    .limit(limit);
}

async function labelOf(store: SqlStore<RunTables>, runId: string): Promise<string> {
  const { runKeys: k } = store.tables;
  const keys = Object.fromEntries((await store.db.select({ key: k.key, value: k.value }).from(k).where(eq(k.runId, runId))).map((x) => [x.key, x.value]));
  return keys.shopifyOrderName ?? keys.orderName ?? keys.shopifyOrderId ?? keys.shopifyRefundId ?? runId;
}

export async function dryRunChange(rt: Runtime, real: NodeServices, flowId: string, draft: Flow, limit = 20): Promise<DryRunReport> {
  const summary = await rt.flows.get(flowId);
  const baseVersion = summary.active && summary.activeVersion != null ? summary.activeVersion : await rt.flows.latestVersion(flowId);
  const base = baseVersion == null ? null : (await rt.flows.version(flowId, baseVersion)).definition;
  const store = runTables(rt.store);
  const events: DryRunEvent[] = [];
  for (const e of await lastEvents(rt.store, flowId, limit)) {
    const run = async (flow: Flow, version: number) => {
      const raised: string[] = [];
      const r = await rt.dryRun(flow, e.payload, { flowId, flowVersion: version, runId: `dry-run:${e.runId}`, services: dryRunServices(real, raised) });
      return { r, raised };
    };
    const b = base ? await run(base, baseVersion!) : null;
    const a = await run(draft, 0);
    const writes = (b?.r.writes.length ?? 0) + a.r.writes.length;
    const docs = writes ? documents(b?.r ?? null, a.r) : endOutputs(base, b?.r ?? null, a.r, draft);
    events.push({
      eventId: e.eventId,
      runId: e.runId,
      label: await labelOf(store, e.runId),
      receivedAt: e.receivedAt,
      runStatus: e.status,
      verdict: verdict(b?.r ?? null, a.r, docs),
      before: b ? outcome(b.r, b.raised) : null,
      after: outcome(a.r, a.raised),
      documents: docs,
    });
  }
  const counts = { changed: 0, unchanged: 0, breaks: 0, fixes: 0, fails: 0 };
  for (const e of events) counts[e.verdict]++;
  return { flowId, baseVersion, limit, events, summary: { events: events.length, ...counts } };
}
