import { randomBytes, createHash } from 'node:crypto';

/** Time-ordered, URL-safe ids (sortable by creation), e.g. `run_0mfz3k2a9c_4f1c2b7d9e`. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}

/** JSON with object keys sorted, so equal documents hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const contentHash = (value: unknown) => 'sha256:' + createHash('sha256').update(canonicalJson(value)).digest('hex');
