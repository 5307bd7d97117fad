// Shared bits of the ERP nodes: connection lookup with a clear error, capability checks, node-scoped errors.
import { z } from 'zod';
import { NodeError, connectionKindMeta, permanentError, type NodeContext } from '../../../runtime/node-api.ts';
import type { ErpCapabilities, ErpConnector } from '../contract.ts';

/** A config field naming an ERP connection (the designer offers only those; validation refuses another kind). */
export const connectionField = z.string().min(1, 'connection id is required').describe('ERP connection id').meta(connectionKindMeta('erp'));

/** An optional ERP item (a service) that a Shopify figure with no product of its own posts as: tips, import duties. */
export const serviceItemField = (title: string, description: string) => z.string().trim().min(1).optional().meta({ title, description });

export async function erpConnection(ctx: NodeContext<{ connection: string }>, needs: Array<keyof ErpCapabilities> = []): Promise<ErpConnector> {
  const c = await ctx.connection<ErpConnector>('erp', ctx.config.connection);
  if (!c || typeof c !== 'object' || typeof (c as ErpConnector).createSalesOrder !== 'function' || !(c as ErpConnector).capabilities) {
    throw permanentError(`node ${ctx.nodeId}: connection "${ctx.config.connection}" is not an ERP connection`, {
      code: 'BAD_CONNECTION',
      details: { connection: ctx.config.connection },
    });
  }
  for (const n of needs) {
    if (!c.capabilities[n]) {
      throw permanentError(`node ${ctx.nodeId}: the ${c.kind} connection "${ctx.config.connection}" does not support ${n}`, {
        code: 'UNSUPPORTED',
        details: { capability: n, erp: c.kind },
      });
    }
  }
  return c;
}

/** Runs a connector call; its NodeError keeps class, code and details and gains the node id in the message. */
export async function withNode<T>(ctx: NodeContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof NodeError) {
      throw new NodeError(`node ${ctx.nodeId}: ${e.message}`, {
        errorClass: e.errorClass,
        code: e.code,
        details: { ...e.details, nodeId: ctx.nodeId },
        retryAfterMs: e.retryAfterMs,
        cause: e,
      });
    }
    throw e;
  }
}

export function requireObject(ctx: NodeContext, input: unknown, what: string): Record<string, unknown> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw permanentError(`node ${ctx.nodeId}: input must be ${what} object, got ${Array.isArray(input) ? 'an array' : typeof input}`, {
      code: 'INVALID_INPUT',
    });
  }
  return input as Record<string, unknown>;
}
