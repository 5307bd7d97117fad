// What triage reads besides the exception: the flows (running, paused, scheduled, pushing stock) for its actions,
// and the order behind the exception's run for the masker when a language model writes the explanation.
import { eq } from 'drizzle-orm';
import { events } from '../../runtime/store/schema.ts';
import type { Deps } from '../deps.ts';
import type { ExceptionRecord } from '../exceptions/store/service.ts';
import { FlowControls, type FlowFact } from '../flows/controls.ts';
import type { FlowFacts } from './triage.ts';

/** Flow facts for one request's triage, each flow read once however many exceptions name it. */
export function flowFacts(d: Deps): FlowFacts {
  const controls = new FlowControls(d);
  const flows = new Map<string, FlowFact | null>();
  const pushes = new Map<string, FlowFact[]>();
  return {
    flow: (id) => {
      if (!flows.has(id)) flows.set(id, controls.fact(id));
      return flows.get(id)!;
    },
    stockPushFlows: (shop) => {
      const k = shop ?? '';
      if (!pushes.has(k)) pushes.set(k, controls.stockPushFlows(shop));
      return pushes.get(k)!;
    },
  };
}

/**
 * The order behind an exception's run (a webhook event's body), for the masker to learn its personal values from;
 * nothing of it is sent. Empty when there is no run or event.
 */
export async function peopleOf(d: Deps, e: ExceptionRecord): Promise<unknown[]> {
  if (!e.links.runId) return [];
  try {
    const run = await d.runtime.runs.get(e.links.runId);
    const row = d.runtime.store.db.select({ payload: events.payload }).from(events).where(eq(events.id, run.eventId)).get();
    if (!row?.payload) return [];
    const payload = JSON.parse(row.payload) as { body?: unknown };
    return [typeof payload?.body === 'string' ? JSON.parse(payload.body) : payload];
  } catch {
    return [];
  }
}
