// Shopify's mandatory compliance topics. Redaction removes personal data from stored events and run steps of the
// shop (or of one customer); a data request is recorded for the operator, who must answer within 30 days.
import { and, eq, ne, or, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import type { Dialect, SqlStore } from '../../runtime/store/sql-store.ts';
import { events, runs, steps } from '../../runtime/store/schema.ts';
import { complianceRequests } from '../db/schema.ts';
import { eventPayloadText } from '../../runtime/event-payload.ts';
import { parseBodyExact } from '../../nodes/shopify/parse-exact.ts';

export const COMPLIANCE_TOPICS = new Set(['customers/data_request', 'customers/redact', 'shop/redact']);

/** Whole sub-objects that describe a person. */
const PERSON_OBJECTS = new Set([
  'customer',
  'billing_address',
  'shipping_address',
  'default_address',
  'addresses',
  'client_details',
  'shippingAddress',
  'billingAddress',
]);
/** Single fields that identify a person. */
const PERSON_FIELDS = new Set([
  'email',
  'contact_email',
  'phone',
  'first_name',
  'last_name',
  'browser_ip',
  'note',
  'customer_locale',
  'firstName',
  'lastName',
  'displayName',
]);
const REDACTED = '[redacted]';

export function scrubPersonalData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(scrubPersonalData);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = x == null ? x : PERSON_OBJECTS.has(k) || PERSON_FIELDS.has(k) ? REDACTED : scrubPersonalData(x);
    return out;
  }
  return v;
}

function scrubValue(v: unknown): unknown {
  // A stored Shopify delivery is { body: <raw JSON text>, headers }: scrub inside the body text too.
  if (v && typeof v === 'object' && typeof (v as { body?: unknown }).body === 'string' && (v as { headers?: unknown }).headers) {
    const d = v as { body: string; headers: unknown };
    try {
      // Parsed with its 18-digit ids exact (as strings, which the trigger reads as it reads them at ingest): a plain
      // JSON.parse rounded them past 2^53, and the trigger's output, made again from this body, would name other ids.
      return { ...d, body: JSON.stringify(scrubPersonalData(parseBodyExact(d.body))) };
    } catch {
      return d;
    }
  }
  return scrubPersonalData(v);
}

function scrubText(text: string, extra: string[]): string {
  let out: string;
  try {
    out = JSON.stringify(scrubValue(JSON.parse(text)));
  } catch {
    out = text;
  }
  for (const s of extra) if (s && s.length >= 3) out = out.split(s).join(REDACTED);
  return out;
}

interface Who {
  connectionId: string;
  /** Only data mentioning one of these (customer email, phone, id, order ids) is touched; empty means the whole shop. */
  needles: string[];
}

/** `needle` occurs in `text` (a plain substring: no LIKE wildcards in an email's `_`), in this dialect's words. */
const contains = (dialect: Dialect, text: SQLWrapper, needle: string): SQL =>
  dialect === 'postgres' ? sql`strpos(${text}, ${needle}) > 0` : sql`instr(${text}, ${needle}) > 0`;

type ComplianceTables = { events: typeof events; runs: typeof runs; steps: typeof steps; complianceRequests: typeof complianceRequests };
const complianceStore = (from: Pick<AnyStore, 'sql'>): SqlStore<ComplianceTables> => from.sql({ events, runs, steps, complianceRequests });

/** Rewrites matching events and the steps of their runs, in one transaction. Returns how many events were redacted. */
export async function redact(from: Pick<AnyStore, 'sql'>, who: Who, exceptEventId: string): Promise<number> {
  const store = complianceStore(from);
  const { events: ev, runs: rn, steps: st } = store.tables;
  const source = `shopify:${who.connectionId}`;
  const strings = who.needles.filter((n) => !/^\d+$/.test(n));
  return store.tx(async (tx) => {
    const rows = await tx
      .select({ id: ev.id, payload: ev.payload, body: ev.body })
      .from(ev)
      .where(
        and(
          eq(ev.source, source),
          ne(ev.id, exceptEventId),
          or(...who.needles.flatMap((n) => [contains(store.dialect, ev.payload, n), contains(store.dialect, ev.body, n)])),
        ),
      );
    for (const e of rows) {
      // The delivery whole (a body stored apart included), scrubbed, goes back as one payload: no copy is left.
      await tx
        .update(ev)
        .set({ payload: scrubText(eventPayloadText(e), strings), body: null })
        .where(eq(ev.id, e.id));
      const stepsOfEvent = await tx
        .select({ runId: st.runId, nodeId: st.nodeId, output: st.output, error: st.error })
        .from(st)
        .innerJoin(rn, eq(rn.id, st.runId))
        .where(eq(rn.eventId, e.id));
      for (const s of stepsOfEvent) {
        await tx
          .update(st)
          .set({ output: s.output == null ? null : scrubText(s.output, strings), error: s.error == null ? null : scrubText(s.error, strings) })
          .where(and(eq(st.runId, s.runId), eq(st.nodeId, s.nodeId)));
      }
    }
    return rows.length;
  });
}

export async function handleCompliance(o: {
  store: Pick<AnyStore, 'sql'>;
  connectionId: string;
  topic: string;
  shopDomain: string;
  eventId: string;
  body: unknown;
  now: number;
}): Promise<Record<string, unknown>> {
  const store = complianceStore(o.store);
  const { events: ev, complianceRequests: cr } = store.tables;
  const b = (o.body ?? {}) as {
    customer?: { id?: unknown; email?: unknown; phone?: unknown };
    orders_to_redact?: unknown[];
    orders_requested?: unknown[];
    data_request?: { id?: unknown };
  };
  let summary: Record<string, unknown>;
  let handledAt: number | null = null;
  if (o.topic === 'customers/data_request') {
    // Kept as asked: the operator needs to know whose data to export.
    summary = { customer: b.customer ?? null, ordersRequested: b.orders_requested ?? [], dataRequestId: b.data_request?.id ?? null };
  } else {
    const needles =
      o.topic === 'shop/redact'
        ? []
        : [b.customer?.email, b.customer?.phone, b.customer?.id, ...(b.orders_to_redact ?? [])]
            .filter((x): x is string | number => typeof x === 'string' || typeof x === 'number')
            .map(String);
    if (o.topic === 'customers/redact' && !needles.length) {
      summary = { error: 'customers/redact without customer email, phone, id or orders: nothing redacted' };
    } else {
      const redacted = await redact(o.store, { connectionId: o.connectionId, needles }, o.eventId);
      // The redact request itself names the customer: scrub it too, keeping only what proves we acted.
      await store.db
        .update(ev)
        .set({ payload: JSON.stringify(scrubPersonalData(o.body)), body: null })
        .where(eq(ev.id, o.eventId));
      summary = { eventsRedacted: redacted, customerId: b.customer?.id ?? null, orders: b.orders_to_redact?.length ?? 0 };
      handledAt = o.now;
    }
  }
  await store.db.insert(cr).values({
    connectionId: o.connectionId,
    topic: o.topic,
    shopDomain: o.shopDomain,
    eventId: o.eventId,
    summary: JSON.stringify(summary),
    receivedAt: o.now,
    handledAt,
  });
  return summary;
}
