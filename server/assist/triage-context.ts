// What triage reads besides the exception: the flows (running, paused, scheduled, pushing stock) for its actions,
// and the order behind the exception's run for the masker when a language model writes the explanation.
import { eq } from 'drizzle-orm';
import { events } from '../../runtime/store/schema.ts';
import type { Deps } from '../deps.ts';
import type { ExceptionRecord } from '../exceptions/store/service.ts';
import { FlowControls, stockPushOf } from '../flows/controls.ts';
import type { FlowFacts } from './triage.ts';

/**
 * Flow facts for one request's triage, each flow read once however many exceptions name it: read up front (triage
 * itself is synchronous), the few flows of a workspace in one list.
 */
export async function flowFacts(d: Deps): Promise<FlowFacts> {
  const all = await new FlowControls(d).facts();
  const byId = new Map(all.map((f) => [f.id, f]));
  return { flow: (id) => byId.get(id) ?? null, stockPushFlows: (shop) => stockPushOf(all, shop) };
}

/**
 * The order behind an exception's run (a webhook event's body), for the masker to learn its personal values from;
 * nothing of it is sent. Empty when there is no run or event.
 */
export function peopleOf(d: Deps, e: ExceptionRecord): unknown[] {
  if (!e.links.runId) return [];
  try {
    const run = d.runtime.runs.get(e.links.runId);
    const row = d.runtime.store.db.select({ payload: events.payload }).from(events).where(eq(events.id, run.eventId)).get();
    if (!row?.payload) return [];
    const payload = JSON.parse(row.payload) as { body?: unknown };
    return [typeof payload?.body === 'string' ? JSON.parse(payload.body) : payload];
  } catch {
    return [];
  }
}
