// Sweeps for `shopify.trigger` flows in mode `webhook+sweep` or `sweep`: on the trigger's schedule, orders updated
// since the flow's cursor are fetched and every change this flow has not seen yet is queued as if its webhook had
// come. "Seen" is per flow: a webhook that reached the flow stored the change's key (`shopifyDedupKey`, the same key
// dedupKeyFor gives a sweep) on its run; a change swept before is a duplicate event of the flow's sweep source.
import { and, eq, sql } from 'drizzle-orm';
import { events, runKeys, runs } from '../runtime/store/schema.ts';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Runtime } from '../runtime/index.ts';
import { type AnyStore, isSqlite } from '../runtime/store/any-store.ts';
import { StepState } from '../runtime/step-state.ts';
import { sweepOrders, type SweptDelivery, type SweepTopic } from '../nodes/shopify/sweep.ts';
import type { IngestRequest } from '../runtime/queue.ts';
import type { ShopifyClient } from '../nodes/shopify/client.ts';

export const SWEEP_KEY = 'shopifyDedupKey';

interface SweepConfig {
  connection: string;
  topic: SweepTopic;
  mode: string;
  sweep?: { schedule?: string; since?: string; overlapMinutes?: number };
}

export class SweepScheduler {
  private jobs = new Map<string, { key: string; cron: Cron }>();
  /** Refreshes run one after another, so an older read of the triggers never lands after a newer one. */
  private refreshing: Promise<void> = Promise.resolve();
  /** Set by stop, cleared by the next refresh: a refresh still reading then arms nothing. */
  private stopped = false;
  private running = new Set<string>();

  constructor(
    private rt: Runtime,
    private connection: (kind: string, id: string) => Promise<unknown>,
    private log: Logger,
  ) {}

  refresh(): Promise<void> {
    this.stopped = false;
    const next = this.refreshing.then(() => this.rearm());
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  private async rearm() {
    const triggers = await this.rt.flows.activeTriggers();
    if (this.stopped) return;
    const wanted = new Map<string, { version: number; config: SweepConfig }>();
    for (const t of triggers) {
      const c = t.config as unknown as SweepConfig;
      if (t.type === 'shopify.trigger' && (c.mode === 'sweep' || c.mode === 'webhook+sweep')) wanted.set(t.flowId, { version: t.version, config: c });
    }
    for (const [flowId, job] of this.jobs) {
      const w = wanted.get(flowId);
      if (!w || job.key !== keyOf(w.version, w.config)) {
        job.cron.stop();
        this.jobs.delete(flowId);
      }
    }
    for (const [flowId, w] of wanted) {
      if (this.jobs.has(flowId)) continue;
      const schedule = w.config.sweep?.schedule ?? '*/15 * * * *';
      try {
        const cron = new Cron(schedule, { protect: true }, () => void this.sweep(flowId, w.version, w.config).catch(() => {}));
        this.jobs.set(flowId, { key: keyOf(w.version, w.config), cron });
      } catch (e) {
        this.log.error({ flowId, schedule, err: (e as Error).message }, 'cannot schedule the Shopify sweep');
      }
    }
  }

  /** One sweep of one flow now; returns how many changes were queued. */
  async sweep(flowId: string, version: number, config: SweepConfig): Promise<{ queued: number; scanned: number }> {
    if (this.running.has(flowId)) return { queued: 0, scanned: 0 };
    this.running.add(flowId);
    try {
      const client = (await this.connection('shopify', config.connection)) as ShopifyClient;
      const state = new StepState(this.rt.store, flowId);
      const r = await sweepOrders(client, state, {
        topic: config.topic,
        since: config.sweep?.since,
        overlapMs: (config.sweep?.overlapMinutes ?? 10) * 60_000,
        isKnown: knownToFlow(this.rt.store, flowId),
      });
      // The cursor moves only together with the events it covers, so a crash here repeats the sweep, never skips it.
      const results = await ingestSwept(
        this.rt,
        r.deliveries.map((d) => sweptRequest(flowId, version, config.connection, d)),
        state,
      );
      const queued = results.filter((x) => !x.duplicate).length;
      this.log.info({ flowId, topic: config.topic, scanned: r.scanned, queued, skippedKnown: r.skippedKnown, more: r.more }, 'shopify sweep');
      return { queued, scanned: r.scanned };
    } catch (e) {
      this.log.error({ flowId, err: (e as Error).message }, 'shopify sweep failed');
      throw e;
    } finally {
      this.running.delete(flowId);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const j of this.jobs.values()) j.cron.stop();
    this.jobs.clear();
  }
}

/** The event a swept change is queued as for one flow: under the flow's sweep source and the change's dedupe key. */
export function sweptRequest(flowId: string, version: number, connection: string, d: SweptDelivery, meta: Record<string, unknown> = {}): IngestRequest {
  return {
    source: sweepSource(flowId),
    dedupKey: d.dedupKey,
    topic: d.topic,
    payload: JSON.stringify({ body: d.body, headers: d.headers }),
    meta: { connectionId: connection, sweep: true, ...meta },
    targets: [{ flowId, version }],
    keys: { shopifyOrderId: d.order.id, shopifyOrderName: d.order.name, [SWEEP_KEY]: d.dedupKey },
  };
}

/**
 * Queues swept changes in one transaction (with the sweep's cursor when given), each answered as the queue answers it:
 * a change the flow's sweep source holds already is a duplicate and starts nothing.
 */
export async function ingestSwept(rt: Runtime, requests: IngestRequest[], cursor?: StepState): Promise<Array<{ duplicate: boolean; runIds: string[] }>> {
  const store = rt.store;
  const out: Array<{ duplicate: boolean; runIds: string[] }> = [];
  if (isSqlite(store)) {
    // Through exclusive: never inside another caller's open SqlStore transaction.
    await store.exclusive(() => {
      for (const req of requests) out.push(rt.queue.ingestSqlite(req));
      cursor?.commitSqlite();
    });
  } else {
    await store.sql({}).tx(async () => {
      for (const req of requests) out.push(await rt.queue.ingestPg(req));
      await cursor?.commit();
    });
    if (out.some((x) => !x.duplicate)) rt.queue.notify();
  }
  return out;
}

const keyOf = (version: number, c: SweepConfig) => `${version}|${JSON.stringify(c)}`;

/** The event source of a flow's sweep: its swept changes are deduplicated under it. */
export const sweepSource = (flowId: string) => `sweep:${flowId}`;

/**
 * Has this flow seen the change `key` already? Either a run of the flow carried it (a webhook that reached the flow
 * stored the change's key on its run) or the flow's sweep stored it as an event before.
 */
export function knownToFlow(from: Pick<AnyStore, 'sql'>, flowId: string): (key: string) => Promise<boolean> {
  const store = from.sql({ events, runKeys, runs });
  const { events: ev, runKeys: k, runs: rn } = store.tables;
  const source = sweepSource(flowId);
  const seenByFlow = async (key: string) =>
    (
      await store.db
        .select({ one: sql`1` })
        .from(k)
        .innerJoin(rn, eq(rn.id, k.runId))
        .where(and(eq(rn.flowId, flowId), eq(k.key, SWEEP_KEY), eq(k.value, key)))
        .limit(1)
    ).length > 0;
  const swept = async (key: string) =>
    (
      await store.db
        .select({ one: sql`1` })
        .from(ev)
        .where(and(eq(ev.source, source), eq(ev.dedupKey, key)))
        .limit(1)
    ).length > 0;
  return async (key) => (await seenByFlow(key)) || (await swept(key));
}
