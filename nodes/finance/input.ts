// The node's input: `shopify.payouts` output ({ payouts }), a list of payouts, or one payout. Checked enough to name
// the broken field; what is kept in flow state drops the raw Shopify payloads.
import { permanentError, type NodeContext } from '../../runtime/node-api.ts';
import type { ShopifyPayout } from '../shopify/types.ts';

const AMOUNT = /^-?\d+(\.\d+)?$/;

function fail(ctx: NodeContext, path: string, message: string): never {
  throw permanentError(`node ${ctx.nodeId}: input${path} ${message}`, { code: 'INVALID_INPUT', details: { field: `input${path}` } });
}

function money(ctx: NodeContext, v: unknown, path: string): void {
  const m = v as { amount?: unknown; currencyCode?: unknown } | null;
  if (!m || typeof m.amount !== 'string' || !AMOUNT.test(m.amount)) fail(ctx, `${path}.amount`, `must be a decimal string, got ${JSON.stringify(m?.amount)}`);
}

export function parsePayouts(ctx: NodeContext, input: unknown): ShopifyPayout[] {
  const list = Array.isArray(input)
    ? input
    : input && typeof input === 'object' && Array.isArray((input as { payouts?: unknown }).payouts)
      ? (input as { payouts: unknown[] }).payouts
      : input && typeof input === 'object' && 'balanceTransactions' in input
        ? [input]
        : input == null || (typeof input === 'object' && Object.keys(input).length === 0)
          ? []
          : fail(ctx, '', 'must be { payouts: [...] } (the shopify.payouts output), a list of payouts or one payout');
  const base = Array.isArray(input) ? '' : '.payouts';
  return list.map((p, i) => {
    const path = `${base}[${i}]`;
    const o = p as ShopifyPayout;
    if (!o || typeof o !== 'object') fail(ctx, path, 'must be a payout object');
    for (const k of ['id', 'legacyId', 'status', 'issuedAt'] as const) if (typeof o[k] !== 'string' || !o[k]) fail(ctx, `${path}.${k}`, 'is required');
    money(ctx, o.net, `${path}.net`);
    if (!Array.isArray(o.balanceTransactions)) fail(ctx, `${path}.balanceTransactions`, 'must be a list');
    if (o.stored !== undefined) {
      const r = o.stored as Partial<NonNullable<ShopifyPayout['stored']>> | null;
      if (!r || typeof r.scope !== 'string' || !r.scope)
        fail(ctx, `${path}.stored.scope`, 'is required (the Shopify connection the transactions are stored under)');
      if (!Number.isInteger(r.count) || r.count! < 0) fail(ctx, `${path}.stored.count`, `must be a whole number, got ${JSON.stringify(r.count)}`);
      if (typeof r.digest !== 'string' || !/^[0-9a-f]{64}$/.test(r.digest))
        fail(ctx, `${path}.stored.digest`, 'must be the sha-256 hex digest of the stored rows');
      if (o.balanceTransactions.length) fail(ctx, `${path}.balanceTransactions`, 'must be empty when the transactions are stored (stored.count of them)');
    }
    o.balanceTransactions.forEach((t, j) => {
      const tp = `${path}.balanceTransactions[${j}]`;
      if (typeof t?.id !== 'string' || typeof t.type !== 'string' || typeof t.processedAt !== 'string') fail(ctx, tp, 'needs id, type and processedAt');
      money(ctx, t.amount, `${tp}.amount`);
      money(ctx, t.fee, `${tp}.fee`);
      money(ctx, t.net, `${tp}.net`);
    });
    return o;
  });
}

export function slim(p: ShopifyPayout): ShopifyPayout {
  return { ...p, raw: null, balanceTransactions: p.balanceTransactions.map((t) => ({ ...t, raw: null })) };
}
