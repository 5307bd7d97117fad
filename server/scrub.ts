// Replaces every stored secret value (connection credentials, webhook secrets) wherever it appears in a value
// about to leave the server: run traces, event payloads, error messages, logs.
import type { Connections } from './vault/connections.ts';
import type { SecretStore } from './vault/secrets.ts';

export const REDACTED = '[redacted]';

/**
 * Scrubbing is synchronous (it runs on every value leaving the server), so the secret values are kept in memory:
 * loaded by `refresh` (awaited once before the scrubber is used) and reloaded after every change to the connections
 * or secrets, which waits for the reload before it returns, so a new value is known before it can leave.
 */
export function makeScrubber(connections: Connections, secrets: SecretStore) {
  let values: string[] = [];
  // Each value as it appears inside JSON text too (quotes, backslashes, control characters escaped), made once per load:
  // the check runs on every step output stored.
  let escaped: string[] = [];
  // Reloads one after another, so the last to finish is the last to start (it read the latest values).
  let loading: Promise<void> = Promise.resolve();
  const load = async () => {
    const [c, s] = await Promise.all([connections.allSecretValues(), secrets.values()]);
    // Short values would redact ordinary words; real credentials are long.
    const next = [...new Set([...c, ...s])].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
    escaped = next.map((v) => JSON.stringify(v).slice(1, -1));
    values = next;
  };
  const refresh = (): Promise<void> => (loading = loading.catch(() => undefined).then(load));
  connections.onChange(refresh);
  secrets.onChange(refresh);
  /** The same, on JSON text about to be stored (run steps): no parse unless a secret is actually present. */
  const scrubText = (text: string): string => {
    if (!values.length || !values.some((s, i) => text.includes(s) || text.includes(escaped[i]!))) return text;
    return JSON.stringify(scrub(JSON.parse(text)));
  };
  const scrub = function scrub<T>(v: T): T {
    if (!values.length || v == null) return v;
    const text = JSON.stringify(v);
    // In JSON text a secret holding a quote, a backslash or a control character is escaped: looked for both ways.
    if (text === undefined || !values.some((s, i) => text.includes(s) || text.includes(escaped[i]!))) return v;
    let out = text;
    for (const [i, s] of values.entries()) {
      out = out.split(s).join(REDACTED);
      // The secret may also appear JSON-escaped inside the text.
      const esc = escaped[i]!;
      if (esc !== s) out = out.split(esc).join(REDACTED);
    }
    return JSON.parse(out) as T;
  };
  return Object.assign(scrub, { text: scrubText, refresh });
}
