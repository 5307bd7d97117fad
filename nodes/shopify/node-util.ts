// Shared bits of the Shopify nodes: connection lookup with a clear error, and conversion errors as NodeErrors.
import { z } from 'zod';
import { NodeError, connectionKindMeta, permanentError, type NodeContext } from '../../runtime/node-api.ts';
import type { ShopifyClient } from './client.ts';
import { ShopifyConversionError } from './convert-util.ts';

/** A config field naming a Shopify connection (the designer offers only those; validation refuses another kind). */
export const connectionField = z.string().min(1, 'connection id is required').meta(connectionKindMeta('shopify'));

export async function shopifyClient(ctx: NodeContext<{ connection: string }>): Promise<ShopifyClient> {
  const c = await ctx.connection<ShopifyClient>('shopify', ctx.config.connection);
  if (!c || typeof (c as ShopifyClient).request !== 'function') {
    throw permanentError(`node ${ctx.nodeId}: connection "${ctx.config.connection}" is not a Shopify connection`, { code: 'BAD_CONNECTION' });
  }
  return c;
}

export function asNodeError(ctx: NodeContext, err: unknown): never {
  if (err instanceof NodeError) throw err;
  if (err instanceof ShopifyConversionError)
    throw permanentError(`node ${ctx.nodeId}: bad Shopify payload at ${err.path}: ${err.message}`, { code: 'BAD_PAYLOAD', details: { path: err.path } });
  throw err;
}

export interface Problem {
  code: 'UNMAPPED_LOCATION' | 'UNKNOWN_SKU' | 'DUPLICATE_SKU' | 'EMPTY_SKU' | 'DUPLICATE_INPUT' | 'NOT_STOCKED' | 'SHOPIFY_REJECTED' | 'BAD_QUANTITY';
  message: string;
  sku?: string | null;
  warehouse?: string;
  locationId?: string;
  path?: string;
  details?: Record<string, unknown>;
}
