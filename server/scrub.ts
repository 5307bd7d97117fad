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
  // Each secret as written and as it appears inside JSON text (quotes, backslashes, control characters escaped), the
  // latter made once per load: the check runs on every step output stored.
  let known: { raw: string; json: string }[] = [];
  // Reloads one after another, so the last to finish is the last to start (it read the latest values).
  let loading: Promise<void> = Promise.resolve();
  const load = async () => {
    const [c, s] = await Promise.all([connections.allSecretValues(), secrets.values()]);
    // Short values would redact ordinary words; real credentials are long.
    known = [...new Set([...c, ...s])]
      .filter((v) => v.length >= 8)
      .sort((a, b) => b.length - a.length)
      .map((raw) => ({ raw, json: JSON.stringify(raw).slice(1, -1) }));
  };
  const refresh = (): Promise<void> => (loading = loading.catch(() => undefined).then(load));
  connections.onChange(refresh);
  secrets.onChange(refresh);
  /** Does JSON text hold a secret, either way it can be written there? */
  const holdsSecret = (text: string) => known.some((k) => text.includes(k.raw) || text.includes(k.json));
  /** `scrub` on JSON text about to be stored (run steps): no parse unless a secret is actually present. */
  const scrubText = (text: string): string => (holdsSecret(text) ? JSON.stringify(scrub(JSON.parse(text))) : text);
  const scrub = function scrub<T>(v: T): T {
    if (!known.length || v == null) return v;
    const text = JSON.stringify(v);
    if (text === undefined || !holdsSecret(text)) return v;
    let out = text;
    for (const { raw, json } of known) {
      out = out.split(raw).join(REDACTED);
      if (json !== raw) out = out.split(json).join(REDACTED);
    }
    return JSON.parse(out) as T;
  };
  return Object.assign(scrub, { text: scrubText, refresh });
}
