// Replaces every stored secret value (connection credentials, webhook secrets) wherever it appears in a value
// about to leave the server: run traces, event payloads, error messages, logs.
import type { Connections } from './vault/connections.ts';
import type { SecretStore } from './vault/secrets.ts';

export const REDACTED = '[redacted]';

export function makeScrubber(connections: Connections, secrets: SecretStore) {
  let gen = '';
  let values: string[] = [];
  const refresh = () => {
    const g = `${connections.generation}:${secrets.generation}`;
    if (g === gen) return;
    gen = g;
    // Short values would redact ordinary words; real credentials are long.
    values = [...new Set([...connections.allSecretValues(), ...secrets.values()])].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
  };
  /** The same, on JSON text about to be stored (run steps): no parse unless a secret is actually present. */
  const scrubText = (text: string): string => {
    refresh();
    if (!values.length || !values.some((s) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)))) return text;
    return JSON.stringify(scrub(JSON.parse(text)));
  };
  const scrub = function scrub<T>(v: T): T {
    refresh();
    if (!values.length || v == null) return v;
    const text = JSON.stringify(v);
    if (text === undefined || !values.some((s) => text.includes(s))) return v;
    let out = text;
    for (const s of values) {
      out = out.split(s).join(REDACTED);
      // The secret may also appear JSON-escaped inside the text.
      const esc = JSON.stringify(s).slice(1, -1);
      if (esc !== s) out = out.split(esc).join(REDACTED);
    }
    return JSON.parse(out) as T;
  };
  return Object.assign(scrub, { text: scrubText });
}
