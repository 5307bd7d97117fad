// Claims a business key (shop + Shopify id + document kind) in Ledgerline's store before an ERP document is created,
// so concurrent runs of one order or refund create one document: the runs that find the key held by another live
// run fail transiently and retry; when they come back the document exists and the ERP's idempotency returns it.
import { transientError, type NodeContext } from '../../../runtime/node-api.ts';

export function claimKey(ctx: NodeContext, kind: 'sales-order' | 'credit-memo', externalId: unknown): string {
  const event = (ctx.trigger as { event?: { shop?: string | null } } | undefined)?.event;
  return `${kind}:${event?.shop ?? 'shop'}:${String(externalId)}`;
}

/** Runs `create` under the claim of `key`; `done` names the document once it is final (null: keep the claim open). */
export async function withClaim<T>(ctx: NodeContext, key: string, create: () => Promise<T>, done: (result: T) => string | null): Promise<T> {
  const claims = ctx.claims;
  if (!claims) return create();
  const c = await claims.claim(key);
  if (!c.mine) {
    throw transientError(`node ${ctx.nodeId}: ${key} is being posted by run ${c.holder}; this run waits and tries again, then finds the document`, {
      code: 'CLAIMED_BY_OTHER_RUN',
      retryAfterMs: 2_000,
      details: { key, holder: c.holder },
    });
  }
  if (c.takenOver) ctx.log.warn({ key }, 'claim taken over from a run that ended without completing it');
  const result = await create();
  const doc = done(result);
  if (doc) await claims.complete(key, doc);
  return result;
}
