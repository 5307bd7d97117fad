// Operational controls of a scheduled flow, the buttons triage offers: pause it (and resume it on the same version)
// and change how often it fires. Only scheduled flows: a paused webhook flow would start no runs for the events
// arriving meanwhile (they are stored but never run), so pausing those stays a builder's deliberate deactivation.
// Whether a flow is paused (rather than deactivated by a builder) is read from the audit log, where every
// activation change is recorded anyway.
import { and, inArray, max } from 'drizzle-orm';
import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import type { FlowSummary } from '../../runtime/flow-store.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
import type { Deps } from '../deps.ts';
import { audit } from '../db/schema.ts';

export class FlowControlError extends Error {}

/** Firing more often than this is refused: a schedule change must not become a way to exhaust an API budget. */
export const MIN_GAP_MINUTES = 5;
/** The intervals triage proposes, in minutes. */
const LADDER = [5, 10, 15, 30, 60, 120, 240];

export interface FlowFact {
  id: string;
  name: string;
  active: boolean;
  /** Set when an operator paused it (the flow is inactive and its last activation change was a pause). */
  paused: { by: string; at: number } | null;
  /** The trigger of the version that runs (or ran, when inactive). */
  trigger: { nodeId: string; type: string; cron: string | null } | null;
  version: number | null;
  /** Node types of that version. */
  nodeTypes: string[];
  /** `connection` of its shopify.inventory-push node, if it has one. */
  stockPushConnection: string | null;
}

export const everyText = (cron: string): string => {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return cron;
  }
};

/** Minutes between firings for the plain interval forms (`*\/N * * * *`, `M * * * *`, `M *\/H * * *`), else null. */
export function intervalMinutes(cron: string): number | null {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5 || f.slice(2).some((x) => x !== '*')) return null;
  const [m = '', h = ''] = f;
  const step = /^\*\/(\d+)$/;
  const mStep = step.exec(m)?.[1];
  const hStep = step.exec(h)?.[1];
  if (h === '*' && mStep) return Number(mStep);
  if (/^\d+$/.test(m) && h === '*') return 60;
  if (/^\d+$/.test(m) && hStep) return Number(hStep) * 60;
  return null;
}

export function cronEvery(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 60) return '0 * * * *';
  return `0 */${minutes / 60} * * *`;
}

/** The next interval on the ladder in the given direction, or null at its end (or for a cron that is no interval). */
export function nextInterval(cron: string, direction: 'more-often' | 'less-often'): number | null {
  const now = intervalMinutes(cron);
  if (now === null) return null;
  const n = direction === 'more-often' ? [...LADDER].reverse().find((x) => x < now) : LADDER.find((x) => x > now);
  return n ?? null;
}

/** The shortest gap between firings of `cron` over its next day of firings, in minutes. */
function shortestGapMinutes(cron: string, timezone: string, from: Date): number {
  const runs = new Cron(cron, { timezone, paused: true }).nextRuns(300, from);
  let gap = Infinity;
  let prev: Date | undefined;
  for (const r of runs) {
    if (prev) gap = Math.min(gap, (r.getTime() - prev.getTime()) / 60_000);
    prev = r;
  }
  return gap;
}

/** Of these facts, the flows pushing stock to the given Shopify connection (any, when null), running or paused. */
export function stockPushFlowsOf(facts: FlowFact[], shopifyConnection: string | null): FlowFact[] {
  return facts.filter(
    (f) =>
      (f.active || !!f.paused) && f.nodeTypes.includes('shopify.inventory-push') && (shopifyConnection === null || f.stockPushConnection === shopifyConnection),
  );
}

type Def = { nodes: Array<{ id: string; type: string; name?: string; config?: Record<string, unknown> }> };

type Activation = { action: string; actor: string; at: number };
const ACTIVATION_ACTIONS = ['flow.pause', 'flow.resume', 'flow.activate', 'flow.deactivate'];

export class FlowControls {
  private readonly store: SqlStore<{ audit: typeof audit }>;

  constructor(private d: Deps) {
    this.store = d.runtime.store.sql({ audit });
  }

  /** The last activation change of each of these flows (from the audit log), in one query. */
  private async lastActivations(flowIds: string[]): Promise<Map<string, Activation>> {
    const out = new Map<string, Activation>();
    if (!flowIds.length) return out;
    const { audit: a } = this.store.tables;
    const about = and(
      inArray(
        a.target,
        flowIds.map((id) => `flow:${id}`),
      ),
      inArray(a.action, ACTIVATION_ACTIONS),
    );
    const last = this.store.db
      .select({ id: max(a.id) })
      .from(a)
      .where(about)
      .groupBy(a.target);
    const rows = await this.store.db.select({ target: a.target, action: a.action, actor: a.actor, at: a.at }).from(a).where(inArray(a.id, last));
    for (const r of rows) out.set(r.target.slice('flow:'.length), r);
    return out;
  }

  private async factOf(f: FlowSummary, last: Activation | undefined): Promise<FlowFact> {
    const def = f.activeVersion != null ? ((await this.d.runtime.flows.version(f.id, f.activeVersion)).definition as unknown as Def) : null;
    const trig = def?.nodes.find((n) => this.d.runtime.lookup(n.type)?.trigger) ?? null;
    const push = def?.nodes.find((n) => n.type === 'shopify.inventory-push');
    return {
      id: f.id,
      name: f.name,
      active: f.active,
      paused: !f.active && last?.action === 'flow.pause' ? { by: last.actor, at: last.at } : null,
      trigger: trig ? { nodeId: trig.id, type: trig.type, cron: trig.type === 'trigger.schedule' ? String(trig.config?.cron ?? '') : null } : null,
      version: f.activeVersion,
      nodeTypes: def ? [...new Set(def.nodes.map((n) => n.type))] : [],
      stockPushConnection: push && typeof push.config?.connection === 'string' ? push.config.connection : null,
    };
  }

  /** The flow's facts, or null when there is no such flow. */
  async fact(flowId: string): Promise<FlowFact | null> {
    let f: FlowSummary;
    try {
      f = await this.d.runtime.flows.get(flowId);
    } catch {
      return null;
    }
    const last = f.active ? undefined : (await this.lastActivations([flowId])).get(flowId);
    return this.factOf(f, last);
  }

  /** The facts of every flow, with one read of the audit log for all the inactive ones. */
  async facts(): Promise<FlowFact[]> {
    const list = await this.d.runtime.flows.list();
    const last = await this.lastActivations(list.filter((f) => !f.active).map((f) => f.id));
    return Promise.all(list.map((f) => this.factOf(f, last.get(f.id))));
  }

  /** Who paused each of these flows and when (absent: running, or deactivated by a builder). */
  async pausedOf(flowIds: string[]): Promise<Map<string, { by: string; at: number }>> {
    const out = new Map<string, { by: string; at: number }>();
    for (const [id, a] of await this.lastActivations(flowIds)) if (a.action === 'flow.pause') out.set(id, { by: a.actor, at: a.at });
    return out;
  }

  /** Flows pushing stock to the given Shopify connection (any, when null), running or paused. */
  async stockPushFlows(shopifyConnection: string | null): Promise<FlowFact[]> {
    return stockPushFlowsOf(await this.facts(), shopifyConnection);
  }

  async pause(flowId: string, actor: string, why: { exceptionId?: string }) {
    const f = await this.fact(flowId);
    if (!f) throw new FlowControlError(`no flow "${flowId}"`);
    if (!f.active) throw new FlowControlError(`flow "${flowId}" is not running${f.paused ? ` (paused by ${f.paused.by})` : ''}`);
    if (f.trigger?.type !== 'trigger.schedule') {
      throw new FlowControlError(
        `flow "${flowId}" starts on ${f.trigger?.type ?? 'no trigger'}, not a schedule: events arriving while it is paused would start no runs, so only a consultant deactivates it`,
      );
    }
    const s = await this.d.runtime.flows.setActive(flowId, false);
    await this.d.audit.record(actor, 'flow.pause', `flow:${flowId}`, { before: { active: true, activeVersion: f.version }, after: { active: false }, ...why });
    await this.d.onTriggersChanged();
    return {
      flow: s,
      message: `Flow ${f.name} paused: its schedule (${everyText(f.trigger.cron ?? '')}) does not fire until it is resumed on version ${f.version}.`,
    };
  }

  async resume(flowId: string, actor: string, why: { exceptionId?: string }) {
    const f = await this.fact(flowId);
    if (!f) throw new FlowControlError(`no flow "${flowId}"`);
    if (f.active) throw new FlowControlError(`flow "${flowId}" is already running`);
    if (!f.paused || f.version == null) throw new FlowControlError(`flow "${flowId}" was deactivated, not paused: a consultant activates it`);
    const s = await this.d.runtime.flows.setActive(flowId, true, f.version);
    await this.d.audit.record(actor, 'flow.resume', `flow:${flowId}`, {
      before: { active: false, pausedBy: f.paused.by },
      after: { active: true, activeVersion: f.version },
      ...why,
    });
    await this.d.onTriggersChanged();
    return { flow: s, message: `Flow ${f.name} resumed on version ${f.version}.` };
  }

  /** Publishes the running version with its schedule trigger's cron replaced; the draft gets the same cron. */
  async setSchedule(flowId: string, cron: string, actor: string, o: { expectedVersion?: number; exceptionId?: string }) {
    const flows = this.d.runtime.flows;
    const f = await this.fact(flowId);
    if (!f) throw new FlowControlError(`no flow "${flowId}"`);
    if (!f.active || f.version == null) throw new FlowControlError(`flow "${flowId}" is not running${f.paused ? ' (paused): resume it first' : ''}`);
    if (f.trigger?.type !== 'trigger.schedule' || f.trigger.cron === null) throw new FlowControlError(`flow "${flowId}" does not start on a schedule`);
    if (o.expectedVersion !== undefined && o.expectedVersion !== f.version) {
      throw new FlowControlError(`flow "${flowId}" now runs version ${f.version}, not ${o.expectedVersion}: reload and check the schedule again`);
    }
    const def = structuredClone((await flows.version(flowId, f.version)).definition) as unknown as Def & Record<string, unknown>;
    const node = def.nodes.find((n) => n.id === f.trigger!.nodeId)!;
    const timezone = String(node.config?.timezone ?? 'UTC');
    const from = f.trigger.cron;
    let gap: number;
    try {
      gap = shortestGapMinutes(cron, timezone, new Date(this.d.now()));
    } catch (e) {
      throw new FlowControlError(`nodes.${node.id}.config.cron: invalid cron expression "${cron}": ${(e as Error).message}`);
    }
    if (gap < MIN_GAP_MINUTES)
      throw new FlowControlError(`nodes.${node.id}.config.cron: "${cron}" fires every ${gap} min; at most every ${MIN_GAP_MINUTES} min`);
    if (cron.trim() === from) throw new FlowControlError(`flow "${flowId}" already fires ${everyText(from).toLowerCase()}`);
    node.config = { ...node.config, cron: cron.trim() };
    // A trigger named for its schedule ("Every 15 minutes") keeps telling the truth.
    const renamed = node.name === everyText(from) ? everyText(cron) : undefined;
    if (renamed) node.name = renamed;
    const v = await flows.publishDocument(flowId, def, {
      message: `schedule: ${everyText(cron)} (was ${everyText(from).toLowerCase()})${o.exceptionId ? `, from exception ${o.exceptionId}` : ''}`,
      by: actor,
    });
    // The draft follows, so the next publish by a consultant does not quietly bring the old schedule back.
    const draft = (await flows.draft(flowId)) as Def & Record<string, unknown>;
    const dn = draft.nodes?.find((n) => n.id === node.id && n.type === 'trigger.schedule');
    if (dn && dn.config?.cron === from) {
      dn.config = { ...dn.config, cron: cron.trim() };
      if (renamed && dn.name === everyText(from)) dn.name = renamed;
      await flows.updateDraft(flowId, draft);
    }
    await this.d.audit.record(actor, 'flow.schedule', `flow:${flowId}@${v.version}`, {
      before: { cron: from, version: f.version },
      after: { cron: cron.trim(), version: v.version },
      ...(o.exceptionId ? { exceptionId: o.exceptionId } : {}),
    });
    await this.d.onTriggersChanged();
    return {
      flowId,
      name: f.name,
      nodeId: node.id,
      version: v.version,
      from,
      to: cron.trim(),
      fromEvery: everyText(from),
      toEvery: everyText(cron),
      message: `${f.name} now runs ${everyText(cron).toLowerCase()} (was ${everyText(from).toLowerCase()}), as version ${v.version}.`,
    };
  }
}
