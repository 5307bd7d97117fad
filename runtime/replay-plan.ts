// Which steps a replay re-runs and which outputs it reuses, with the reason for each, decided before anything runs so
// a person can read the list before confirming. A step re-runs when the replay starts at or before it, when it failed
// or never ran, when its node's settings differ in the version replayed, when a lookup table it read has a newer
// version, or when a step it reads from re-runs. A write that already happened (an ERP document posted under a
// business-key claim, or any non-idempotent step that succeeded) is reused, never re-sent, unless the caller names it
// in `resend`.
import type { FlowNode } from '../flows/schema.ts';
import type { Plan } from './plan.ts';
import type { StepRecord, RunRecord } from './runs.ts';

export type ReplayFrom = 'failed' | 'start' | { step: string };

export interface ReplayStepPlan {
  nodeId: string;
  type: string;
  title: string;
  action: 'rerun' | 'reuse';
  /** Why, in words for the person confirming. */
  reason: string;
  /** The write this step already made (documents posted), when it made one. */
  written?: { documents: string[] };
  /** Re-running this step needs the caller to name it in `resend` (it may post a second time). */
  needsConfirmation?: boolean;
}

export interface ReplayPlan {
  runId: string;
  flowId: string;
  flowVersion: number;
  from: 'failed' | 'start' | 'step';
  fromStep?: string;
  steps: ReplayStepPlan[];
  rerun: string[];
  reused: string[];
  /** Steps that re-run only because the caller confirmed re-sending them, or that wait for that confirmation. */
  confirm: string[];
}

export interface PlanInputs {
  old: RunRecord;
  target: Plan;
  targetVersion: number;
  from: ReplayFrom;
  resend: ReadonlySet<string>;
  /** The node as defined in a version of the run's flow (undefined: not in that version, or the version is gone). */
  nodeIn(version: number, nodeId: string): FlowNode | undefined;
  /** The current version of a lookup table (undefined: the table is gone). */
  lookupVersion(tableId: number): number | undefined;
  /** Documents posted under claims the step took in these runs. */
  documents(runIds: string[], nodeId: string): string[];
}

export function planReplay(i: PlanInputs): ReplayPlan {
  const { old, target } = i;
  const byNode = new Map(old.steps.map((s) => [s.nodeId, s]));
  if (typeof i.from === 'object' && !target.byId.has(i.from.step)) {
    throw new ReplayPlanError(`step "${i.from.step}" is not in version ${i.targetVersion} of flow "${old.flowId}"`);
  }
  const fromStep = typeof i.from === 'object' ? i.from.step : undefined;
  const decided = new Map<string, ReplayStepPlan>();
  for (const p of target.order) {
    const id = p.node.id;
    const s = byNode.get(id);
    let reason = i.from === 'start' ? 'the replay starts from the beginning' : id === fromStep ? 'the replay starts at this step' : ownReason(i, p.node, s);
    if (!reason) {
      const src = p.incoming.map((e) => e.source).find((src) => decided.get(src)?.action === 'rerun');
      if (src) reason = `it reads from "${src}", which re-runs`;
    }
    const base = { nodeId: id, type: p.type.type, title: p.type.title };
    if (!reason) {
      decided.set(id, { ...base, action: 'reuse', reason: 'nothing it depends on changed; its output is reused' });
      continue;
    }
    const guarded = !p.type.idempotent && !p.node.idempotencyKey;
    if (s?.status === 'succeeded') {
      const documents = i.documents([...new Set([s.reusedFrom ?? old.runId, old.runId])], id);
      if (documents.length || guarded) {
        const what = documents.length ? `already posted as ${documents.join(', ')}` : 'already ran, and it is not safe to run twice';
        if (i.resend.has(id)) {
          decided.set(id, {
            ...base,
            action: 'rerun',
            reason: `${what}; re-sent because you confirmed it (${reason})`,
            ...(documents.length ? { written: { documents } } : {}),
            needsConfirmation: true,
          });
        } else {
          decided.set(id, {
            ...base,
            action: 'reuse',
            reason: `${what}: reused, not sent again (it would re-run because ${reason}; confirm a re-send to post again)`,
            ...(documents.length ? { written: { documents } } : {}),
            needsConfirmation: true,
          });
        }
        continue;
      }
    }
    // A non-idempotent step that failed ambiguously may have taken effect: running it again needs a yes.
    const ambiguous = s?.status === 'failed' && guarded && (s.error as { class?: string } | undefined)?.class === 'ambiguous';
    decided.set(id, { ...base, action: 'rerun', reason, ...(ambiguous ? { needsConfirmation: true } : {}) });
  }
  const steps = target.order.map((p) => decided.get(p.node.id)!);
  return {
    runId: old.runId,
    flowId: old.flowId,
    flowVersion: i.targetVersion,
    from: typeof i.from === 'object' ? 'step' : i.from,
    ...(fromStep ? { fromStep } : {}),
    steps,
    rerun: steps.filter((s) => s.action === 'rerun').map((s) => s.nodeId),
    reused: steps.filter((s) => s.action === 'reuse').map((s) => s.nodeId),
    confirm: steps.filter((s) => s.needsConfirmation).map((s) => s.nodeId),
  };
}

/** Why the step re-runs on its own account (not because of an upstream step), or null. */
function ownReason(i: PlanInputs, node: FlowNode, s: StepRecord | undefined): string | null {
  if (!s) return 'it did not run';
  if (s.status === 'skipped') return 'it was skipped; whether it runs is decided again';
  if (s.status !== 'succeeded') return i.from === 'failed' ? `it ${s.status === 'failed' ? 'failed' : `was ${s.status}`}` : `it ${s.status}`;
  const ranUnder = s.reads?.flowVersion ?? i.old.flowVersion;
  if (ranUnder !== i.targetVersion) {
    const before = i.nodeIn(ranUnder, node.id);
    if (!before || canonical(settingsOf(before)) !== canonical(settingsOf(node))) return `its settings changed (version ${ranUnder} → ${i.targetVersion})`;
  }
  for (const r of s.reads?.lookups ?? []) {
    const now = i.lookupVersion(r.tableId);
    if (now === undefined) return `lookup table "${r.table}" it read no longer exists`;
    if (now !== r.version) return `lookup table "${r.table}" changed (version ${r.version} → ${now})`;
  }
  return null;
}

const settingsOf = (n: FlowNode) => ({ type: n.type, config: n.config ?? {}, idempotencyKey: n.idempotencyKey ?? null });

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export class ReplayPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayPlanError';
  }
}
