// What every monitor needs: the exception sink and monitoring host from the host, the raise-then-clear
// reconciliation that makes a monitor auto-resolve what it no longer finds, and connection helpers.
import { z } from 'zod';
import { permanentError, type NodeContext, type ExceptionSink, type RaiseException, type MonitorHost } from '../../runtime/node-api.ts';
import type { ErpConnector } from '../erp/contract.ts';
import type { ShopifyClient } from '../shopify/client.ts';

export const connectionId = z.string().min(1, 'connection id is required');

export interface MonitorResult {
  checked: number;
  /** Causes found this time (raised or still open). */
  found: number;
  newlyRaised: number;
  cleared: number;
  findings: Array<Record<string, unknown>>;
  /** Monitors reading a range of Shopify records: bulk query or paging, and why. */
  path?: { kind: 'bulk' | 'per-call'; reason: string; bulkOperation?: string };
}

export function sinkOf(ctx: NodeContext): ExceptionSink {
  const s = ctx.exceptions;
  if (!s || typeof s.raise !== 'function')
    throw permanentError(`node "${ctx.nodeId}": this host provides no exception inbox (services.exceptions)`, { code: 'EXCEPTIONS_SERVICE_MISSING' });
  return s;
}

export function hostOf(ctx: NodeContext): MonitorHost {
  const h = ctx.monitoring;
  if (!h || typeof h.inProgress !== 'function')
    throw permanentError(`node "${ctx.nodeId}": this host provides no run statistics (services.monitoring)`, { code: 'MONITORING_SERVICE_MISSING' });
  return h;
}

export async function erpOf(ctx: NodeContext, id: string): Promise<ErpConnector> {
  const c = await ctx.connection<ErpConnector>('erp', id);
  if (!c || typeof c.getStock !== 'function')
    throw permanentError(`node "${ctx.nodeId}": connection "${id}" is not an ERP connection`, { code: 'BAD_CONNECTION' });
  return c;
}

export async function shopOf(ctx: NodeContext, id: string): Promise<ShopifyClient> {
  const c = await ctx.connection<ShopifyClient>('shopify', id);
  if (!c || typeof c.request !== 'function')
    throw permanentError(`node "${ctx.nodeId}": connection "${id}" is not a Shopify connection`, { code: 'BAD_CONNECTION' });
  return c;
}

/**
 * Raises every cause found and clears the open ones under `prefix` that this check covered but no longer finds.
 * `covered(key)` says whether the check looked at a key (default: every key under the prefix).
 */
export async function reconcile(
  sink: ExceptionSink,
  type: string,
  prefix: string,
  found: RaiseException[],
  note: string,
  covered: (key: string) => boolean = () => true,
): Promise<{ newlyRaised: number; cleared: number }> {
  let newlyRaised = 0;
  let cleared = 0;
  const keys = new Set(found.map((f) => f.key));
  for (const f of found) if ((await sink.raise(f)).isNew) newlyRaised++;
  for (const key of (await sink.openKeys?.(type, prefix)) ?? []) {
    if (!keys.has(key) && covered(key) && (await sink.clear(type, key, note))) cleared++;
  }
  return { newlyRaised, cleared };
}
