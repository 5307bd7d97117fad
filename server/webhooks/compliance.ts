// Shopify's mandatory compliance topics. Redaction removes personal data from stored events and run steps of the
// shop (or of one customer); a data request is recorded for the operator, who must answer within 30 days.
import type Database from 'better-sqlite3';
import type { ServerDb } from '../db/db.ts';
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
export function redact(sqlite: Database.Database, who: Who, exceptEventId: string): number {
  const source = `shopify:${who.connectionId}`;
  const byNeedle = who.needles.length
    ? sqlite
        .prepare(`SELECT id, payload FROM events WHERE source = ? AND id != ? AND (${who.needles.map(() => 'instr(payload, ?) > 0').join(' OR ')})`)
        .all(source, exceptEventId, ...who.needles)
    : sqlite.prepare(`SELECT id, payload FROM events WHERE source = ? AND id != ?`).all(source, exceptEventId);
  const rows = byNeedle as { id: string; payload: string }[];
  const strings = who.needles.filter((n) => !/^\d+$/.test(n));
  const setEvent = sqlite.prepare(`UPDATE events SET payload = ? WHERE id = ?`);
  const stepsOf = sqlite.prepare(`SELECT s.run_id, s.node_id, s.output, s.error FROM steps s JOIN runs r ON r.id = s.run_id WHERE r.event_id = ?`);
  const setStep = sqlite.prepare(`UPDATE steps SET output = ?, error = ? WHERE run_id = ? AND node_id = ?`);
  sqlite.transaction(() => {
    for (const e of rows) {
      setEvent.run(scrubText(e.payload, strings), e.id);
      for (const s of stepsOf.all(e.id) as { run_id: string; node_id: string; output: string | null; error: string | null }[]) {
        setStep.run(s.output == null ? null : scrubText(s.output, strings), s.error == null ? null : scrubText(s.error, strings), s.run_id, s.node_id);
      }
    }
  })();
  return rows.length;
}

export function handleCompliance(o: {
  db: ServerDb;
  sqlite: Database.Database;
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
      const events = redact(o.sqlite, { connectionId: o.connectionId, needles }, o.eventId);
      // The redact request itself names the customer: scrub it too, keeping only what proves we acted.
      o.sqlite.prepare(`UPDATE events SET payload = ? WHERE id = ?`).run(JSON.stringify(scrubPersonalData(o.body)), o.eventId);
      summary = { eventsRedacted: events, customerId: b.customer?.id ?? null, orders: b.orders_to_redact?.length ?? 0 };
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
