// The lookup editor opened from an exception ("Add row to tax-codes"): the keys the failed runs looked for, filled
// in, and the value(s) to give them. Saving adds exactly those rows (or corrects the SKU override that sent an item the
// ERP does not have) and retries every run waiting on the table.
import { useEffect, useRef, useState } from 'react';
import { exceptionsApi, type ExceptionDetail } from '../api/exceptions.ts';
import type { LookupTable } from '../api/lookups.ts';
import { replayApi, type RetryBatch } from '../api/replay.ts';
import { fixRows, type FixRow } from '../exceptions/fix-link.ts';
import { lookupsApi } from '../api/lookups.ts';
import { RetrySummary } from '../exceptions/RetrySummary.tsx';
import type { ReferenceColumn } from './LookupGrid.tsx';
import { ReferencePicker } from './ReferencePicker.tsx';

/**
 * `version`: the table's saved version on the page. One saved beside this panel (a proposal accepted, another editor)
 * may have resolved the exception through its retried runs: the panel reads it again and says so rather than offering
 * a second row for a key that now has one.
 */
export function FixPanel({
  exceptionId,
  table,
  reference,
  version,
  onSaved,
}: {
  exceptionId: string;
  table: LookupTable;
  /** The column naming ERP records, chosen from the ERP as in the grid. */
  reference?: ReferenceColumn | null;
  version?: number;
  onSaved(): void;
}) {
  const [exc, setExc] = useState<ExceptionDetail | null>(null);
  // The version this panel opened on: the first one the page knew.
  const opened = useRef(version);
  opened.current ??= version;
  const openedAt = opened.current;
  const [rows, setRows] = useState<Array<Record<string, string>> | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ version: number; retried: RetryBatch } | null>(null);

  useEffect(() => {
    exceptionsApi.get(exceptionId).then(setExc, (e: Error) => setError(e.message));
  }, [exceptionId]);
  // A version saved beside this panel (not by its own save), which the rows below and the exception are read again for.
  const changedTo = version !== undefined && openedAt !== undefined && version > openedAt && version !== done?.version ? version : null;
  // The retried runs settle within seconds: read the exception until it is resolved, or stop after half a minute.
  useEffect(() => {
    if (changedTo === null) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const read = (left: number) =>
      exceptionsApi.get(exceptionId).then(
        (e) => {
          if (stop) return;
          setExc(e);
          if (e.state !== 'resolved' && left > 0) timer = setTimeout(() => read(left - 1), 2000);
        },
        () => {},
      );
    void read(15);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [changedTo, exceptionId]);
  // The saved rows (not the grid's edits): which row an unknown SKU came from is decided on what the runs read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a version saved beside the panel (changedTo) means other saved rows to read
  useEffect(() => {
    lookupsApi.get(table.scope, table.name).then(
      (r) => setRows(r.rows as Array<Record<string, string>>),
      (e: Error) => setError(e.message),
    );
  }, [table.scope, table.name, changedTo]);

  async function save() {
    setBusy(true);
    setError(null);
    try {
      const r = await replayApi.fixLookup(
        exceptionId,
        Object.fromEntries(
          Object.entries(values)
            .map(([k, v]) => [k, v.trim()])
            .filter(([, v]) => v),
        ),
      );
      setDone({ version: r.version, retried: r.retried });
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!exc || !rows)
    return (
      <div className="fix-panel" data-testid="fix-panel">
        {error ? <p className="error">{error}</p> : <p className="muted">Loading the exception…</p>}
      </div>
    );
  const fixes: FixRow[] = fixRows(exc, rows, table.keyColumns);
  const keys = fixes.map((f) => f.key);
  const corrects = fixes.filter((f) => f.sends);
  const keyColumns = table.keyColumns.map((k) => k.name);
  return (
    <div className="fix-panel" data-testid="fix-panel">
      <h3>Fix: {exc.title}</h3>
      {exc.state === 'resolved' && !done ? (
        <p className="muted" data-testid="fix-resolved">
          This exception is {changedTo ? `resolved since version ${changedTo} of the table was saved` : 'already resolved'}
          {exc.resolutionNote ? `: ${exc.resolutionNote}` : ''}.
        </p>
      ) : done ? (
        <>
          <p className="ok-text">
            {corrects.length ? 'Corrected' : 'Added'} {keys.length === 1 ? 'the row' : `${keys.length} rows`} as version {done.version}. The runs waiting on it
            were retried:
          </p>
          <RetrySummary batch={done.retried} />
        </>
      ) : (
        <>
          {changedTo && (
            <p className="help" data-testid="fix-table-changed">
              Version {changedTo} of the table was saved since this opened, and the runs waiting on it were retried: if they succeed this exception resolves by
              itself. Add a row here only if they fail again.
            </p>
          )}
          {corrects.length === fixes.length ? (
            <p className="help" data-testid="fix-corrects">
              {exc.count} run{exc.count === 1 ? '' : 's'} failed because the ERP has no item {corrects.map((f) => f.sends).join(', ')} to sell, and{' '}
              {corrects.length === 1 ? 'the row below sends it' : 'the rows below send them'}. Give {corrects.length === 1 ? 'it' : 'them'} the ERP's item code;
              saving corrects {corrects.length === 1 ? 'the row' : 'the rows'} and retries the waiting runs.
            </p>
          ) : (
            <p className="help">
              {exc.count} run{exc.count === 1 ? '' : 's'} failed because {keys.length === 1 ? 'this key is' : 'these keys are'} not in the table. Give{' '}
              {keys.length === 1 ? 'it' : 'them'} a value; saving adds the row{keys.length === 1 ? '' : 's'} and retries the waiting runs.
            </p>
          )}
          <table className="grid fix-rows">
            <thead>
              <tr>
                {keyColumns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
                {table.valueColumns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {keys.map((k, i) => (
                <tr /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>
                  {keyColumns.map((c) => (
                    <td key={c}>
                      <code>{k[c] || '—'}</code>
                    </td>
                  ))}
                  {table.valueColumns.map((c) => (
                    <td key={c}>
                      {i === 0 && reference?.column === c ? (
                        <ReferencePicker
                          label={`Value for ${c}`}
                          value={values[c] ?? ''}
                          items={reference.items}
                          search={reference.search}
                          source={reference.source}
                          disabled={busy}
                          onPick={(v) => setValues({ ...values, [c]: v })}
                        />
                      ) : i === 0 ? (
                        <input
                          aria-label={`Value for ${c}`}
                          placeholder={fixes[i]?.sends ? `now ${fixes[i].sends}` : undefined}
                          value={values[c] ?? ''}
                          onChange={(e) => setValues({ ...values, [c]: e.target.value })}
                        />
                      ) : (
                        <span className="muted">same</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button type="button" className="primary" disabled={busy || !table.valueColumns.some((c) => values[c]?.trim())} onClick={() => void save()}>
              {busy ? 'Saving…' : corrects.length ? 'Correct and retry waiting runs' : 'Add row and retry waiting runs'}
            </button>
          </div>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
