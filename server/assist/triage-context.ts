// What triage reads besides the exception: the flows (running, paused, scheduled, pushing stock) for its actions,
// and the order behind the exception's run for the masker when a language model writes the explanation.
import { eq } from 'drizzle-orm';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { events, runs } from '../../runtime/store/schema.ts';
import type { Deps } from '../deps.ts';
import type { ExceptionRecord } from '../exceptions/store/service.ts';
import { FlowControls, stockPushFlowsOf } from '../flows/controls.ts';
import type { FlowFacts, PushProblem } from './triage.ts';
import { eventPayloadValue } from '../../runtime/event-payload.ts';

/**
 * Flow facts for one request's triage (triage itself is synchronous): every flow read once, up front, with one read
 * of the audit log for the paused ones, however many exceptions the request triages.
 */
export async function flowFacts(d: Deps): Promise<FlowFacts> {
  const facts = await new FlowControls(d).facts();
  const byId = new Map(facts.map((f) => [f.id, f]));
  const problems = await pushProblems(d);
  return {
    flow: (id) => byId.get(id) ?? null,
    stockPushFlows: (shop) => stockPushFlowsOf(facts, shop),
    pushProblem: (sku) => problems.get(sku) ?? null,
  };
}

/** The SKUs unresolved stock push failures name (INVENTORY_PROBLEMS lists each refused SKU), newest failure first. */
async function pushProblems(d: Deps): Promise<Map<string, PushProblem>> {
  const out = new Map<string, PushProblem>();
  const { items } = await d.exceptions.list({ type: 'failed-run', state: 'unresolved', limit: 100 });
  for (const e of items) {
    const error = (e.data as { error?: { code?: unknown; details?: { problems?: unknown } } } | null)?.error;
    if (error?.code !== 'INVENTORY_PROBLEMS' || !Array.isArray(error.details?.problems)) continue;
    for (const p of error.details.problems as Array<{ code?: unknown; sku?: unknown; message?: unknown }>) {
      if (typeof p.sku !== 'string' || out.has(p.sku)) continue;
      out.set(p.sku, { code: String(p.code ?? ''), message: String(p.message ?? ''), runId: e.links.runId ?? null });
    }
  }
  return out;
}

/**
 * The order behind an exception's run (a webhook event's body), for the masker to learn its personal values from;
 * nothing of it is sent. Empty when there is no run or event.
 */
export async function peopleOf(from: Pick<AnyStore, 'sql'>, e: ExceptionRecord): Promise<unknown[]> {
  if (!e.links.runId) return [];
  const store = from.sql({ events, runs });
  const { events: ev, runs: rn } = store.tables;
  try {
    const [row] = await store.db.select({ payload: ev.payload, body: ev.body }).from(rn).innerJoin(ev, eq(ev.id, rn.eventId)).where(eq(rn.id, e.links.runId));
    if (!row?.payload) return [];
    const payload = eventPayloadValue(row) as { body?: unknown };
    return [typeof payload?.body === 'string' ? JSON.parse(payload.body) : payload];
  } catch {
    return [];
  }
}
