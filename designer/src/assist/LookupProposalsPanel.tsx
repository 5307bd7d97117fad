// In the lookup editor: rows proposed from the ERP's own lists for the keys that open exceptions found missing in
// this table (an unmapped tax rate, location or gateway). Accepting writes the row as a new table version and
// retries the exception's waiting runs, exactly as from the inbox. Shows nothing when no exception waits on the table.
import { useCallback, useEffect, useState } from 'react';
import { assistantApi, type TableProposal } from '../api/assist.ts';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import { ProposalTable } from './ExceptionTriage.tsx';

export function LookupProposalsPanel({ scope, name, onAccepted }: { scope: string; name: string; onAccepted(): Promise<void> | void }) {
  const role = useSession((s) => s.user?.role);
  const [items, setItems] = useState<TableProposal[] | null>(null);
  const [status, setStatus] = useState<{ text: string; bad?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    () =>
      assistantApi.tableProposals(scope, name).then(
        (r) => setItems(r.proposals),
        () => setItems([]),
      ),
    [scope, name],
  );
  useEffect(() => {
    void load();
  }, [load]);

  async function accept(exceptionId: string, row: Record<string, string>) {
    setBusy(true);
    setStatus(null);
    try {
      const r = await assistantApi.accept(exceptionId, [row]);
      setStatus({
        text: `Row added as version ${r.version.version}${r.retried ? `; ${r.retried.replayed.length} waiting run(s) retried` : r.retryNote ? `; not retried: ${r.retryNote}` : ''}.`,
      });
      await onAccepted();
      // Its key now has a row; the exception stays open until its retried runs succeed, so the server would still
      // list it, and a second Accept would only be refused.
      setItems((prev) => prev?.filter((x) => x.exceptionId !== exceptionId) ?? null);
    } catch (e) {
      setStatus({ text: (e as Error).message, bad: true });
    } finally {
      setBusy(false);
    }
  }

  if (!items?.length && !status) return null;
  return (
    <div className="card lookup-proposals" data-testid="lookup-proposals">
      <strong>Proposed rows</strong> <span className="muted small">for keys that runs found missing; nothing is added until you accept</span>
      {items?.map((it) => (
        <div key={it.exceptionId} data-exception={it.exceptionId}>
          <p className="help">{it.title}</p>
          {it.lookups && 'missing' in it.lookups ? (
            <ProposalTable p={it.lookups} mayAccept={can(role, 'assist.accept')} busy={busy} onAccept={(row) => void accept(it.exceptionId, row)} />
          ) : (
            <p className="muted">{it.lookups?.note ?? 'No proposals.'}</p>
          )}
        </div>
      ))}
      {status && (
        <p className={status.bad ? 'error' : 'ok-text'} role="status" data-testid="lookup-proposals-status">
          {status.text}
        </p>
      )}
    </div>
  );
}
