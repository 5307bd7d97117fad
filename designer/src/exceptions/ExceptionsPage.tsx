// The exceptions inbox: what needs a person, by owning team and type; acknowledge, assign, resolve with a note, or
// retry the failed runs — one at a time or for a selection.
import { useCallback, useEffect, useState } from 'react';
import { exceptionsApi, type ActionInput, type ExceptionAction, type ExceptionItem, type ExceptionQuery } from '../api/exceptions.ts';
import { useSession } from '../app/session.ts';
import { ActionForm, OWNERS } from './ActionForm.tsx';
import { ExceptionRow } from './ExceptionRow.tsx';
import { TriageProvider } from '../assist/ExceptionTriage.tsx';
import { bulkActionsFor, bulkSummary, countBy } from './inbox-model.ts';

/**
 * `type`: opened filtered to one exception type (the monitors page links its open exceptions so). `payout`: to what
 * the reconciliation raised for one Shopify payout (the payouts table links its unmatched items so). `focus`: opened
 * on one exception with its detail shown (an alert's link); every state is listed, since it may be resolved by now.
 */
export function ExceptionsPage({ type, payout, focus }: { type?: string; payout?: string; focus?: string } = {}) {
  const role = useSession((s) => s.user?.role);
  const [query, setQuery] = useState<ExceptionQuery>(focus ? {} : { state: 'unresolved', ...(type ? { type } : {}), ...(payout ? { payout } : {}) });
  const [data, setData] = useState<{ items: ExceptionItem[]; total: number } | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkForm, setBulkForm] = useState<ExceptionAction | null>(null);
  const [status, setStatus] = useState<{ text: string; bad: boolean } | null>(null);

  const reload = useCallback(
    () => exceptionsApi.list({ ...query, limit: 200 }).then(setData, (e: Error) => setStatus({ text: e.message, bad: true })),
    [query],
  );
  useEffect(() => {
    setSelected(new Set());
    void reload();
  }, [reload]);

  async function act(id: string, action: ExceptionAction, input: ActionInput) {
    let outcome: { text: string; bad: boolean };
    try {
      const r = await exceptionsApi.act(id, action, input);
      outcome = {
        text:
          action === 'retry' && 'replayed' in r
            ? `Retried: ${r.replayed.length} run(s) replayed${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}.`
            : `Exception ${({ acknowledge: 'acknowledged', assign: 'assigned', resolve: 'resolved', retry: 'retried' } as const)[action]}.`,
        bad: false,
      };
    } catch (e) {
      outcome = { text: (e as Error).message, bad: true };
    }
    await reload();
    setStatus(outcome);
  }

  async function bulk(action: ExceptionAction, input: ActionInput = {}) {
    // The list is reloaded before the outcome is shown, so what the message says is already on screen.
    let outcome: { text: string; bad: boolean };
    try {
      const r = await exceptionsApi.bulk([...selected], action, input);
      outcome = bulkSummary(action, r.results);
      setSelected(new Set());
      setBulkForm(null);
    } catch (e) {
      outcome = { text: (e as Error).message, bad: true };
    }
    await reload();
    setStatus(outcome);
  }

  const items = data?.items ?? [];
  const chosen = items.filter((i) => selected.has(i.id));
  const set = (patch: Partial<ExceptionQuery>) => setQuery({ ...query, ...patch });
  return (
    <section className="page exceptions" data-testid="exceptions-page">
      <h2>
        Exceptions <span className="muted small">{data ? `${data.total} ${query.state === 'resolved' ? 'resolved' : (query.state ?? '')}` : ''}</span>
      </h2>
      <div className="row filters">
        <select aria-label="Owner" value={query.owner ?? ''} onChange={(e) => set({ owner: (e.target.value || undefined) as ExceptionQuery['owner'] })}>
          <option value="">All teams</option>
          {OWNERS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <select aria-label="State" value={query.state ?? ''} onChange={(e) => set({ state: (e.target.value || undefined) as ExceptionQuery['state'] })}>
          <option value="unresolved">Needs attention</option>
          <option value="open">Open</option>
          <option value="acknowledged">Acknowledged</option>
          <option value="resolved">Resolved</option>
          <option value="">Any state</option>
        </select>
        <input
          aria-label="Type"
          placeholder="Type, e.g. run-failed"
          value={query.type ?? ''}
          onChange={(e) => set({ type: e.target.value || undefined })}
          style={{ width: 200 }}
        />
        {query.payout && (
          <button type="button" className="chip on" data-testid="payout-filter" title="Show every payout's" onClick={() => set({ payout: undefined })}>
            payout {query.payout} ×
          </button>
        )}
        {countBy(items, 'type')
          .slice(0, 6)
          .map(([t, n]) => (
            <button type="button" key={t} className={`chip ${query.type === t ? 'on' : ''}`} onClick={() => set({ type: query.type === t ? undefined : t })}>
              {t} <span className="muted">{n}</span>
            </button>
          ))}
      </div>
      {status && (
        <p className={status.bad ? 'error' : 'ok-text'} role="status" data-testid="exceptions-status">
          {status.text}
        </p>
      )}
      {chosen.length > 0 && (
        <div className="bulk-bar row" data-testid="bulk-bar">
          <strong>{chosen.length} selected</strong>
          {bulkActionsFor(chosen, role).map((a) => (
            <button type="button" key={a} onClick={() => (a === 'acknowledge' || a === 'retry' ? void bulk(a) : setBulkForm(bulkForm === a ? null : a))}>
              {a} all
            </button>
          ))}
          {bulkForm && <ActionForm action={bulkForm} onSubmit={(i) => void bulk(bulkForm, i)} onCancel={() => setBulkForm(null)} />}
        </div>
      )}
      {focus && data && !items.some((i) => i.id === focus) && (
        <p className="status bad" data-testid="focus-missing">
          Exception {focus} is not in this workspace's inbox (it may have been pruned, or the link is for another workspace).
        </p>
      )}
      {data === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted" data-testid="no-exceptions">
          Nothing needs attention.
        </p>
      ) : (
        <TriageProvider ids={items.map((i) => i.id)} onChanged={() => void reload()}>
          <table className="table exceptions-table">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Select all"
                    checked={chosen.length > 0 && chosen.length === items.filter((i) => i.state !== 'resolved').length}
                    onChange={(e) => setSelected(new Set(e.target.checked ? items.filter((i) => i.state !== 'resolved').map((i) => i.id) : []))}
                  />
                </th>
                <th>Severity</th>
                <th>Exception</th>
                <th>Team</th>
                <th>Assignee</th>
                <th>State</th>
                <th>Last seen</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <ExceptionRow
                  key={i.id}
                  item={i}
                  role={role}
                  focused={i.id === focus}
                  checked={selected.has(i.id)}
                  onCheck={(on) =>
                    setSelected((s) => {
                      const n = new Set(s);
                      if (on) n.add(i.id);
                      else n.delete(i.id);
                      return n;
                    })
                  }
                  onAct={(a, input) => act(i.id, a, input)}
                />
              ))}
            </tbody>
          </table>
        </TriageProvider>
      )}
    </section>
  );
}
