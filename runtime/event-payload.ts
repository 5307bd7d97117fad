// An event as its readers know it. A webhook's body is stored apart from its payload (events.body: the bytes as they
// arrived, never escaped into JSON on the request path); read together, payload and body are the delivery
// `{ body, headers }` that every other event would have stored whole.

/** The stored columns of an event that make its payload. */
export interface StoredEvent {
  payload: string;
  body?: string | null;
}

/** The payload as JSON text, byte for byte what `JSON.stringify({ body, ...payload })` would have stored. */
export function eventPayloadText(e: StoredEvent): string {
  if (e.body == null) return e.payload;
  const rest = e.payload.trim();
  if (!rest.startsWith('{')) throw new Error('an event with a separate body has an object payload');
  const inner = rest.slice(1, -1).trim();
  return `{"body":${JSON.stringify(e.body)}${inner ? `,${inner}` : ''}}`;
}

/** The payload as a value: the body as its text (18-digit ids intact), without making the whole JSON text. */
export function eventPayloadValue(e: StoredEvent): unknown {
  const value = JSON.parse(e.payload) as unknown;
  if (e.body == null) return value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('an event with a separate body has an object payload');
  return { body: e.body, ...(value as Record<string, unknown>) };
}
