// Before a mapping change goes live: the changed mappings of the draft replayed as a dry run against the flow's last
// N real events. Each mapping step's recorded input in those runs is mapped again with the draft's config and
// compared with what the published version produced — the document that went on to the ERP. Nothing runs but the
// mapping itself (no ERP, no Shopify, no step is written), so nothing changes in any system.
import type { Runtime } from '../../runtime/index.ts';
import type { Flow } from '../../flows/schema.ts';
import { previewMap } from '../../nodes/core/mapping/index.ts';
import type { LookupSource } from '../../nodes/lookup/types.ts';

export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface DryRunEvent {
  runId: string;
  /** The order name or id the run was about. */
  label: string;
  status: string;
  changes: Array<{ nodeId: string; fields: FieldChange[]; error?: string; skipped?: string }>;
}

export interface DryRun {
  baseVersion: number | null;
  changedNodes: string[];
  events: DryRunEvent[];
  summary: { events: number; changed: number; failing: number; unchanged: number };
}

/** Leaf paths (`lines[0].taxCodes[0]`) and their values. */
function leaves(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v)) {
    if (!v.length) out.set(prefix, []);
    v.forEach((x, i) => leaves(x, `${prefix}[${i}]`, out));
  } else if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (!entries.length) out.set(prefix, {});
    for (const [k, x] of entries) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
  return out;
}

export function jsonDiff(before: unknown, after: unknown): FieldChange[] {
  const a = leaves(before);
  const b = leaves(after);
  const out: FieldChange[] = [];
  for (const [path, v] of a) {
    if (!b.has(path)) out.push({ path, before: v });
    else if (JSON.stringify(b.get(path)) !== JSON.stringify(v)) out.push({ path, before: v, after: b.get(path) });
  }
  for (const [path, v] of b) if (!a.has(path)) out.push({ path, after: v });
  return out;
}

export async function dryRunDraft(rt: Runtime, lookups: LookupSource, flowId: string, draft: Flow, limit = 20): Promise<DryRun> {
  const baseVersion = rt.flows.latestVersion(flowId);
  const base = baseVersion == null ? null : rt.flows.version(flowId, baseVersion).definition;
  const maps = draft.nodes.filter((n) => n.type === 'core.map');
  const changed = maps.filter((n) => JSON.stringify(base?.nodes.find((b) => b.id === n.id)?.config ?? null) !== JSON.stringify(n.config));
  const rows = rt.store.sqlite
    .prepare(`SELECT id FROM runs WHERE flow_id = ? AND status IN ('succeeded','failed') AND id IN (SELECT MAX(id) FROM runs WHERE flow_id = ? GROUP BY event_id) ORDER BY created_at DESC, id DESC LIMIT ?`)
    .all(flowId, flowId, limit) as Array<{ id: string }>;
  const events: DryRunEvent[] = [];
  for (const { id } of rows) {
    const run = rt.runs.get(id);
    const trigger = run.steps[0]?.output;
    const ev: DryRunEvent = { runId: id, label: run.keys.orderName ?? run.keys.shopifyOrderId ?? id, status: run.status, changes: [] };
    for (const n of changed) {
      const step = run.steps.find((s) => s.nodeId === n.id);
      if (step?.input === undefined) {
        ev.changes.push({ nodeId: n.id, fields: [], skipped: 'the run did not reach this step' });
        continue;
      }
      const r = await previewMap(n.config, step.input, { sandbox: rt.sandbox, lookups, flowId, trigger, nodeId: n.id });
      if (!r.ok) {
        const why = r.configProblems[0]?.message ?? (r.problems[0] ? `"${r.problems[0].target}": ${r.problems[0].message}` : 'the mapping fails');
        ev.changes.push({ nodeId: n.id, fields: [], error: `would fail: ${why}` });
        continue;
      }
      ev.changes.push({ nodeId: n.id, fields: jsonDiff(step.status === 'succeeded' ? step.output : undefined, r.output) });
    }
    events.push(ev);
  }
  const failing = events.filter((e) => e.changes.some((c) => c.error)).length;
  const changedCount = events.filter((e) => !e.changes.some((c) => c.error) && e.changes.some((c) => c.fields.length)).length;
  return { baseVersion, changedNodes: changed.map((n) => n.id), events, summary: { events: events.length, changed: changedCount, failing, unchanged: events.length - changedCount - failing } };
}
