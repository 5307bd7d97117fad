import { useEffect, useState } from 'react';
import type { RunQuery } from '../api/client.ts';
import type { FlowSummary } from '../api/types.ts';

const STATUSES: NonNullable<RunQuery['status']>[] = ['queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];

export function RunFilters({ value, flows, onChange }: { value: RunQuery; flows: FlowSummary[]; onChange(q: RunQuery): void }) {
  const [text, setText] = useState(value.q ?? '');
  // A search made from outside the box (an order name clicked in the list) shows in it.
  useEffect(() => setText(value.q ?? ''), [value.q]);
  const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  return (
    <form className="filters row" onSubmit={(e) => (e.preventDefault(), onChange({ ...value, q: text.trim() || undefined }))}>
      <input
        aria-label="Search runs"
        className="search"
        placeholder="Order #5007, Shopify id, ERP document (SO0012)…"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit">Search</button>
      <select aria-label="Flow" value={value.flowId ?? ''} onChange={(e) => onChange({ ...value, flowId: e.target.value || undefined })}>
        <option value="">All flows</option>
        {flows.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </select>
      <select aria-label="Status" value={value.status ?? ''} onChange={(e) => onChange({ ...value, status: STATUSES.find((s) => s === e.target.value) })}>
        <option value="">Any status</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <label className="inline">
        From <input type="datetime-local" aria-label="From" onChange={(e) => onChange({ ...value, from: toIso(e.target.value) })} />
      </label>
      <label className="inline">
        To <input type="datetime-local" aria-label="To" onChange={(e) => onChange({ ...value, to: toIso(e.target.value) })} />
      </label>
    </form>
  );
}
