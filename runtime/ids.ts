import { randomFillSync, createHash } from 'node:crypto';

// Random bytes drawn from the OS in blocks: one getrandom per id was ~20 µs of a webhook delivery on this VM (the
// ids need to be unguessable and distinct, not each its own system call).
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;

function randomHex(n: number): string {
  if (poolAt + n > POOL.length) randomFillSync(POOL), (poolAt = 0);
  const hex = POOL.toString('hex', poolAt, poolAt + n);
  poolAt += n;
  return hex;
}

/** Time-ordered, URL-safe ids (sortable by creation), e.g. `run_0mfz3k2a9c_4f1c2b7d9e`. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomHex(5)}`;
}

/** JSON with object keys sorted, so equal documents hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const contentHash = (value: unknown) => 'sha256:' + createHash('sha256').update(canonicalJson(value)).digest('hex');
