import { useEffect, useState } from 'react';
import { api, type RunQuery } from '../api/client.ts';
import type { FlowSummary } from '../api/types.ts';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** Turns a bare order number or id into the `key` filter the API expects. */
export function orderKey(input: string): string | undefined {
  const v = input.trim();
  if (!v) return undefined;
  if (v.startsWith('gid://')) return `shopifyOrderId:${v}`;
  if (/^\d{6,}$/.test(v)) return `shopifyOrderId:gid://shopify/Order/${v}`;
  // Anything else is taken as a full `name:value` key, as the API accepts it.
  return v.includes(':') ? v : `shopifyOrderId:${v}`;
}

export function RunFilters({ value, onChange }: { value: RunQuery; onChange(q: RunQuery): void }) {
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [order, setOrder] = useState('');
  useEffect(() => {
    api.flows().then((r) => setFlows(r.flows), () => {});
  }, []);
  const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  return (
    <form className="filters row" onSubmit={(e) => (e.preventDefault(), onChange({ ...value, key: orderKey(order) }))}>
      <select aria-label="Flow" value={value.flowId ?? ''} onChange={(e) => onChange({ ...value, flowId: e.target.value || undefined })}>
        <option value="">All flows</option>
        {flows.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
      </select>
      <select aria-label="Status" value={value.status ?? ''} onChange={(e) => onChange({ ...value, status: e.target.value || undefined })}>
        <option value="">Any status</option>
        {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
      <label className="inline">From <input type="datetime-local" onChange={(e) => onChange({ ...value, from: toIso(e.target.value) })} /></label>
      <label className="inline">To <input type="datetime-local" onChange={(e) => onChange({ ...value, to: toIso(e.target.value) })} /></label>
      <input aria-label="Shopify order" placeholder="Shopify order id or gid://shopify/Order/…" value={order} onChange={(e) => setOrder(e.target.value)} />
      <button type="submit">Filter</button>
    </form>
  );
}
