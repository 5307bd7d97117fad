// The monitors page's data: every monitor node of every flow (the monitor templates and any flow a consultant built
// with monitor nodes), what it watches and its thresholds, its state (inactive, failing, firing, ok, not run yet),
// its last check and when it last fired, and — per business flow — which monitors cover it.
import cronstrue from 'cronstrue';
import { and, desc as descending, eq, inArray, notInArray } from 'drizzle-orm';
import { runs } from '../../runtime/store/schema.ts';
import { exceptions } from '../exceptions/store/schema.ts';
import { nextFire } from '../../nodes/core/trigger-schedule.ts';
import type { Flow } from '../../flows/schema.ts';
import type { Deps } from '../deps.ts';
import { isTestFlow } from '../flows/test-run.ts';
import { describeMonitor, type FlowFacts } from './describe.ts';

export type MonitorState = 'inactive' | 'failing' | 'firing' | 'ok' | 'not-run';

export interface MonitorView {
  flowId: string;
  flowName: string;
  active: boolean;
  /** The version described: the active one, else the latest published, else the draft (null). */
  version: number | null;
  nodeId: string;
  name: string;
  type: string;
  title: string;
  schedule: { cron: string; timezone: string; every: string; next: string | null } | null;
  watches: string;
  thresholds: Array<{ label: string; value: string }>;
  raises: string[];
  state: MonitorState;
  /** Unresolved exceptions this monitor raised. */
  open: number;
  lastCheck: { runId: string; status: string; at: number; found?: number; newlyRaised?: number; cleared?: number; error?: string } | null;
  lastFired: { at: number; exceptionId: string; type: string; title: string; state: string } | null;
  /** Flows it covers. */
  flows: string[];
}

export interface FlowCoverage {
  flowId: string;
  name: string;
  active: boolean;
  /**
   * The monitors covering it (`flowId/nodeId`) with their state for this flow: a monitor whose open exceptions name
   * other flows (e.g. the runs monitor firing for another flow) is not firing for this one.
   */
  monitors: Array<{ key: string; state: MonitorState; open: number }>;
}

interface ExceptionRow {
  id: string;
  type: string;
  key: string;
  title: string;
  state: string;
  last_seen: number;
  links: string;
}

const isMonitor = (t: string) => t.startsWith('monitor.');

async function definitionOf(
  d: Deps,
  f: { id: string; activeVersion: number | null; latestVersion: number | null },
): Promise<{ def: Flow; version: number | null }> {
  const v = f.activeVersion ?? f.latestVersion;
  if (v != null) return { def: (await d.runtime.flows.version(f.id, v)).definition, version: v };
  return { def: (await d.runtime.flows.draft(f.id)) as unknown as Flow, version: null };
}

function scheduleOf(def: Flow, now: number): MonitorView['schedule'] {
  const t = (def.nodes ?? []).find((n) => n.type === 'trigger.schedule');
  if (!t) return null;
  const cron = String((t.config as { cron?: unknown }).cron ?? '');
  const timezone = String((t.config as { timezone?: unknown }).timezone ?? 'UTC');
  let every = cron;
  try {
    every = cronstrue.toString(cron, { use24HourTimeFormat: true });
  } catch {
    /* keep the cron text */
  }
  let next: string | null = null;
  try {
    next = nextFire({ cron, timezone }, new Date(now))?.toISOString() ?? null;
  } catch {
    /* an invalid cron never fires */
  }
  return { cron, timezone, every, next };
}

export async function monitorsOverview(d: Deps): Promise<{ generatedAt: string; monitors: MonitorView[]; flows: FlowCoverage[] }> {
  const rt = d.runtime;
  const now = d.now();
  const store = rt.store.sql({ runs, exceptions });
  const { runs: r, exceptions: x } = store.tables;
  const flows = await Promise.all((await rt.flows.list()).filter((f) => !isTestFlow(f.id)).map(async (f) => ({ summary: f, ...(await definitionOf(d, f)) })));
  const facts: Array<FlowFacts & { name: string; active: boolean }> = flows
    .filter(({ def }) => !(def.nodes ?? []).some((n) => isMonitor(n.type)))
    .map(({ summary, def }) => ({
      id: summary.id,
      name: summary.name,
      active: summary.active,
      nodeTypes: (def.nodes ?? []).map((n) => n.type),
      shopifyTriggers: (def.nodes ?? [])
        .filter((n) => n.type === 'shopify.trigger')
        .map((n) => String((n.config as { connection?: unknown }).connection ?? '')),
    }));
  const lastRunOf = async (flowId: string): Promise<string | undefined> => {
    const [last] = await store.db
      .select({ id: r.id })
      .from(r)
      .where(and(eq(r.flowId, flowId), notInArray(r.status, ['queued', 'running'])))
      .orderBy(descending(r.createdAt), descending(r.id))
      .limit(1);
    return last?.id;
  };
  const exceptionsOf = async (types: string[]): Promise<ExceptionRow[]> =>
    types.length
      ? store.db
          .select({
            id: x.id,
            type: x.type,
            key: x.key,
            title: x.title,
            state: x.state,
            last_seen: x.lastSeen,
            links: x.links,
          })
          .from(x)
          .where(inArray(x.type, types))
          .orderBy(descending(x.lastSeen))
      : [];

  const monitors: MonitorView[] = [];
  const coverage = new Map(facts.map((f) => [f.id, [] as FlowCoverage['monitors']]));
  for (const { summary, def, version } of flows) {
    for (const node of (def.nodes ?? []).filter((n) => isMonitor(n.type))) {
      const type = rt.lookup(node.type);
      // Defaults applied, as the node itself reads its config.
      const parsed = type?.config.safeParse(node.config ?? {});
      const desc = describeMonitor(node.type, (parsed?.success ? parsed.data : (node.config ?? {})) as Record<string, unknown>);
      const mine = (await exceptionsOf([...new Set(desc.raises.map((r) => r.type))])).filter((e) => {
        if (!desc.raises.some((r) => r.type === e.type && (!r.keyPrefix || e.key.startsWith(r.keyPrefix)))) return false;
        if (!desc.flowFilter) return true;
        const linked = (JSON.parse(e.links || '{}') as { flowId?: string }).flowId;
        return !!linked && desc.flowFilter.includes(linked);
      });
      const unresolved = mine.filter((e) => e.state !== 'resolved');
      const open = unresolved.length;
      // Open exceptions naming a business flow count for that flow only; the others (an order, a SKU) for every flow covered.
      const flowOf = (e: ExceptionRow) => {
        const id = (JSON.parse(e.links || '{}') as { flowId?: string }).flowId;
        return id && id !== summary.id ? id : null;
      };
      const unlinked = unresolved.filter((e) => !flowOf(e)).length;
      const fired = mine[0];

      let lastCheck: MonitorView['lastCheck'] = null;
      const runId = await lastRunOf(summary.id);
      if (runId) {
        const run = await rt.runs.get(runId);
        const step = run.steps.find((s) => s.nodeId === node.id);
        const out = (step?.output ?? {}) as { found?: number; newlyRaised?: number; cleared?: number };
        const err = (step?.error ?? run.error) as { message?: string } | undefined;
        lastCheck = {
          runId,
          status: run.status,
          at: run.finishedAt ?? run.createdAt,
          ...(typeof out.found === 'number' ? { found: out.found, newlyRaised: out.newlyRaised, cleared: out.cleared } : {}),
          ...(run.status === 'failed' && err?.message ? { error: err.message } : {}),
        };
      }
      const state: MonitorState = !summary.active
        ? 'inactive'
        : lastCheck?.status === 'failed'
          ? 'failing'
          : open > 0
            ? 'firing'
            : lastCheck
              ? 'ok'
              : 'not-run';
      const covered = facts.filter((f) => desc.covers(f)).map((f) => f.id);
      for (const id of covered) {
        const here = unlinked + unresolved.filter((e) => flowOf(e) === id).length;
        const st: MonitorState = state === 'inactive' || state === 'failing' ? state : here > 0 ? 'firing' : lastCheck ? 'ok' : 'not-run';
        coverage.get(id)!.push({ key: `${summary.id}/${node.id}`, state: st, open: here });
      }
      monitors.push({
        flowId: summary.id,
        flowName: summary.name,
        active: summary.active,
        version,
        nodeId: node.id,
        name: node.name || type?.title || node.id,
        type: node.type,
        title: type?.title ?? node.type,
        schedule: scheduleOf(def, now),
        watches: desc.watches,
        thresholds: desc.thresholds,
        raises: [...new Set(desc.raises.map((r) => r.type))],
        state,
        open,
        lastCheck,
        lastFired: fired ? { at: fired.last_seen, exceptionId: fired.id, type: fired.type, title: fired.title, state: fired.state } : null,
        flows: covered,
      });
    }
  }
  return {
    generatedAt: new Date(now).toISOString(),
    monitors,
    flows: facts.map((f) => ({ flowId: f.id, name: f.name, active: f.active, monitors: coverage.get(f.id)! })),
  };
}
