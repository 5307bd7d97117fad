// One Shopify delivery starts several flows (an orders/paid: the order to the ERP, the gift cards, ...), and each run's
// trigger parsed and converted the same 15 KB body again (≈ 0.1 ms each, the largest single cost of a run's start).
// The runs of one event are enqueued together and claimed together, so the last few conversions are kept here and
// shared: keyed by the delivery's event id and topic, and used only for the very same body text.
import { convertWebhook, type ShopifyWebhookObject } from './webhook-convert.ts';

/** Enough for the runs of the events one worker claims at once; more would keep whole orders alive for nothing. */
const KEEP = 16;

const recent = new Map<string, { body: string; object: ShopifyWebhookObject }>();

const FREEZE = process.env.LEDGERLINE_FREEZE_INPUTS === '1';
const guard = <T>(value: T): T => (FREEZE ? deepFreeze(value) : value);

/**
 * `convertWebhook`, shared between the runs of one delivery. Nodes never write into their input (the runtime already
 * hands one step's output to several steps); here the object also reaches runs of other flows. With
 * LEDGERLINE_FREEZE_INPUTS=1 (the test suite sets it) it is deep-frozen, so a node that wrote into it would fail; not by
 * default, where freezing an order's ≈ 200 objects costs a third of what sharing saves.
 */
export function convertDelivery(topic: string, body: unknown, eventId: string | null): ShopifyWebhookObject {
  if (eventId === null || typeof body !== 'string') return guard(convertWebhook(topic, body));
  const key = `${topic}\n${eventId}`;
  const hit = recent.get(key);
  if (hit && hit.body === body) return hit.object;
  const object = guard(convertWebhook(topic, body));
  recent.delete(key);
  recent.set(key, { body, object });
  if (recent.size > KEEP) recent.delete(recent.keys().next().value as string);
  return object;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  else for (const k in value) deepFreeze((value as Record<string, unknown>)[k]);
  return value;
}
