// Shopify's mandatory compliance topics. Redaction removes personal data from stored events and run steps of the
// shop (or of one customer); a data request is recorded for the operator, who must answer within 30 days.
import type { ServerDb } from '../db/db.ts';
import { and, eq, ne, or, sql } from 'drizzle-orm';
import { events, runs, steps } from '../../runtime/store/schema.ts';
import { complianceRequests } from '../db/schema.ts';

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
      return { ...d, body: JSON.stringify(scrubPersonalData(JSON.parse(d.body))) };
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

/** Rewrites matching events and the steps of their runs. Returns how many events were redacted. */
export function redact(db: ServerDb, who: Who, exceptEventId: string): number {
  const source = `shopify:${who.connectionId}`;
  const rows = db
    .select({ id: events.id, payload: events.payload })
    .from(events)
    .where(and(eq(events.source, source), ne(events.id, exceptEventId), or(...who.needles.map((n) => sql`instr(${events.payload}, ${n}) > 0`))))
    .all();
  const strings = who.needles.filter((n) => !/^\d+$/.test(n));
  db.$client.transaction(() => {
    for (const e of rows) {
      db.update(events)
        .set({ payload: scrubText(e.payload, strings) })
        .where(eq(events.id, e.id))
        .run();
      const stepsOfEvent = db
        .select({ runId: steps.runId, nodeId: steps.nodeId, output: steps.output, error: steps.error })
        .from(steps)
        .innerJoin(runs, eq(runs.id, steps.runId))
        .where(eq(runs.eventId, e.id))
        .all();
      for (const s of stepsOfEvent) {
        db.update(steps)
          .set({ output: s.output == null ? null : scrubText(s.output, strings), error: s.error == null ? null : scrubText(s.error, strings) })
          .where(and(eq(steps.runId, s.runId), eq(steps.nodeId, s.nodeId)))
          .run();
      }
    }
  })();
  return rows.length;
}

export function handleCompliance(o: {
  db: ServerDb;
  connectionId: string;
  topic: string;
  shopDomain: string;
  eventId: string;
  body: unknown;
  now: number;
}): Record<string, unknown> {
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
      const redacted = redact(o.db, { connectionId: o.connectionId, needles }, o.eventId);
      // The redact request itself names the customer: scrub it too, keeping only what proves we acted.
      o.db
        .update(events)
        .set({ payload: JSON.stringify(scrubPersonalData(o.body)) })
        .where(eq(events.id, o.eventId))
        .run();
      summary = { eventsRedacted: redacted, customerId: b.customer?.id ?? null, orders: b.orders_to_redact?.length ?? 0 };
      handledAt = o.now;
    }
  }
  o.db
    .insert(complianceRequests)
    .values({
      connectionId: o.connectionId,
      topic: o.topic,
      shopDomain: o.shopDomain,
      eventId: o.eventId,
      summary: JSON.stringify(summary),
      receivedAt: o.now,
      handledAt,
    })
    .run();
  return summary;
}
