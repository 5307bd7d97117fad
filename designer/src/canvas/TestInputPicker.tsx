// What the next test run starts from: the trigger's sample, a pasted webhook body or JSON, a past run's event, or an
// order of the connected store. The chosen input is always named, so nobody mistakes a sample for a real order.
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { testRunsApi, type StoreOrder } from '../api/test-runs.ts';
import type { RunSummary } from '../api/types.ts';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';

type Kind = 'sample' | 'payload' | 'run' | 'store';
const KINDS: Array<[Kind, string]> = [
  ['sample', 'Trigger sample'],
  ['payload', 'Paste an event'],
  ['run', 'A past run'],
  ['store', 'An order from the store'],
];

const when = (t: string | number) => new Date(t).toLocaleString();

export function TestInputPicker() {
  const store = useFlowStoreApi();
  const flowId = useFlowStore((s) => s.flow.id);
  const input = useFlowStore((s) => s.testInput);
  const label = useFlowStore((s) => s.testInputLabel);
  const hasShopifyTrigger = useFlowStore((s) => s.flow.nodes.some((n) => n.type === 'shopify.trigger'));
  const [kind, setKind] = useState<Kind>(input.kind);
  const [text, setText] = useState('');
  const [pasteError, setPasteError] = useState<string | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [orders, setOrders] = useState<StoreOrder[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  // Client staff do not read production runs (they carry every customer): their own test runs only.
  const seesRuns = can(
    useSession((s) => s.user?.role),
    'runs.read',
  );

  useEffect(() => {
    setLoadError(null);
    if (kind === 'run' && runs === null) {
      Promise.all([seesRuns ? api.runs({ flowId, limit: 30 }) : { runs: [] }, testRunsApi.list(flowId)]).then(
        ([prod, tests]) => setRuns([...prod.runs, ...tests.runs.map((r) => ({ ...r, flowId: `test: ${r.flowId}` }))]),
        (e: Error) => setLoadError(e.message),
      );
    }
    if (kind === 'store' && orders === null) {
      testRunsApi.storeOrders(flowId).then(
        (r) => setOrders(r.orders),
        (e: Error) => setLoadError(e.message),
      );
    }
  }, [kind, flowId, runs, orders, seesRuns]);

  const choose = (k: Kind) => {
    setKind(k);
    if (k === 'sample') store.getState().setTestInput({ kind: 'sample' }, 'Trigger sample');
  };

  const applyPaste = () => {
    const t = text.trim();
    if (!t) return setPasteError('Paste a webhook body or JSON first.');
    try {
      JSON.parse(t);
    } catch (e) {
      return setPasteError(`Not JSON: ${(e as Error).message}`);
    }
    setPasteError(null);
    // Sent as text, so 18-digit Shopify ids stay exact.
    store.getState().setTestInput({ kind: 'payload', body: t }, `Pasted event (${t.length.toLocaleString()} characters)`);
  };

  return (
    <div className="test-input" data-testid="test-input">
      <div className="row">
        <label htmlFor="test-input-kind">Test with</label>
        <select id="test-input-kind" value={kind} onChange={(e) => choose(e.target.value as Kind)} data-testid="test-input-kind">
          {KINDS.filter(([k]) => k !== 'store' || hasShopifyTrigger).map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </select>
        <span className="pill test-input-label" data-testid="test-input-label" title={label}>
          {label}
        </span>
      </div>
      {kind === 'payload' && (
        <div className="test-input-paste">
          <textarea
            aria-label="Event to test with"
            data-testid="test-input-paste"
            rows={5}
            placeholder="Paste a Shopify webhook body (as Shopify sends it) or any JSON the trigger accepts"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <div className="row">
            <button type="button" onClick={applyPaste} data-testid="test-input-use-paste">
              Use this event
            </button>
            {pasteError && <span className="error">{pasteError}</span>}
          </div>
        </div>
      )}
      {kind === 'run' && (
        <select
          aria-label="Run to take the event from"
          data-testid="test-input-run"
          value={input.kind === 'run' ? input.runId : ''}
          onChange={(e) => {
            const r = runs?.find((x) => x.runId === e.target.value);
            if (r) store.getState().setTestInput({ kind: 'run', runId: r.runId }, `Event of run ${r.runId} (${r.status}, ${when(r.createdAt)})`);
          }}
        >
          <option value="">
            {runs === null ? 'Loading runs…' : runs.length ? 'Choose a run…' : seesRuns ? 'This flow has no runs yet' : 'No test runs of this flow yet'}
          </option>
          {(runs ?? []).map((r) => (
            <option key={r.runId} value={r.runId}>
              {r.orderName ? `${r.orderName} · ` : ''}
              {when(r.createdAt)} · {r.status} · {r.runId}
              {r.flowId.startsWith('test: ') ? ' (test)' : ''}
            </option>
          ))}
        </select>
      )}
      {kind === 'store' && (
        <select
          aria-label="Order to test with"
          data-testid="test-input-order"
          value={input.kind === 'store' ? input.orderId : ''}
          onChange={(e) => {
            const o = orders?.find((x) => x.id === e.target.value);
            if (o) store.getState().setTestInput({ kind: 'store', orderId: o.id }, `Order ${o.name} from the store`);
          }}
        >
          <option value="">{orders === null ? 'Loading orders…' : orders.length ? 'Choose an order…' : 'The store has no recent orders'}</option>
          {(orders ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} · {o.financialStatus ?? ''} · {when(o.createdAt)}
            </option>
          ))}
        </select>
      )}
      {loadError && <p className="error">{loadError}</p>}
    </div>
  );
}
