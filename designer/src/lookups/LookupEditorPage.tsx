// One lookup table as a spreadsheet: edit cells, add and delete rows, save as a new version (refused with 409 when
// someone else saved first), versions and restore, CSV export and import.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { lookupsApi, type LookupTable } from '../api/lookups.ts';
import { Link } from '../app/Link.tsx';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import { ConflictBanner } from './ConflictBanner.tsx';
import { CsvImport } from './CsvImport.tsx';
import { downloadText } from './download.ts';
import { addRow, changeSummary, duplicateKeys, gridFrom, isDirty, rebaseGrid, rowsForSave, setCell, toggleDelete, type Grid } from './grid-model.ts';
import { LookupGrid, type ReferenceColumn } from './LookupGrid.tsx';
import { LookupVersions } from './LookupVersions.tsx';
import { LookupProposalsPanel } from '../assist/LookupProposalsPanel.tsx';
import { useLocation } from '../app/router.ts';
import { exceptionsApi } from '../api/exceptions.ts';
import type { RetryBatch } from '../api/replay.ts';
import { fixRows } from '../exceptions/fix-link.ts';
import { RetrySummary } from '../exceptions/RetrySummary.tsx';
import { FixPanel } from './FixPanel.tsx';

export function LookupEditorPage({ scope, name }: { scope: string; name: string }) {
  const role = useSession((s) => s.user?.role);
  const readOnly = !can(role, 'lookups.write');
  const [table, setTable] = useState<LookupTable | null>(null);
  const [grid, setGrid] = useState<Grid | null>(null);
  // Opened from an exception (`?fix=<id>`): its missing key is pre-filled; `?filter=` narrows the rows.
  const { query } = useLocation();
  const fix = query.get('fix');
  const fixHere = !!fix && can(role, 'exceptions.retry');
  const [filter, setFilter] = useState(query.get('filter') ?? '');
  const [retried, setRetried] = useState<RetryBatch | null>(null);
  const prefilled = useRef(false);
  const [note, setNote] = useState('');
  const [panel, setPanel] = useState<'versions' | 'import' | null>(null);
  const [status, setStatus] = useState<{ text: string; bad?: boolean } | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reference, setReference] = useState<ReferenceColumn | null>(null);
  const [referenceNote, setReferenceNote] = useState<string | null>(null);

  const load = useCallback(async () => {
    const r = await lookupsApi.get(scope, name);
    setTable(r.table);
    setGrid(gridFrom(r.table, r.version, r.rows));
    setConflict(null);
  }, [scope, name]);

  useEffect(() => {
    load().catch((e: Error) => setStatus({ text: e.message, bad: true }));
  }, [load]);

  // A row written from beside the grid (a proposal accepted, the exception's fix saved) is a new version: the grid
  // moves onto it keeping the unsaved edits, where a reload would throw them away.
  const merge = useCallback(async () => {
    const r = await lookupsApi.get(scope, name);
    setTable(r.table);
    setGrid((g) => {
      const columns = [...r.table.keyColumns.map((k) => k.name), ...r.table.valueColumns];
      return g && g.columns.join('\u0000') === columns.join('\u0000') ? rebaseGrid(g, r.version, r.rows) : gridFrom(r.table, r.version, r.rows);
    });
    setConflict(null);
  }, [scope, name]);

  useEffect(() => {
    // A column naming ERP records gets a picker over the ERP's list (the first ERP that can list it).
    lookupsApi.erpReferences(scope, name).then(
      (r) => {
        const src = r.sources.find((x) => x.items);
        if (!r.column || !src?.items) return;
        const search =
          r.list === 'items'
            ? (q: string) => lookupsApi.erpReferences(scope, name, q).then((x) => x.sources.find((y) => y.connection === src.connection)?.items ?? [])
            : undefined;
        setReference({ column: r.column, items: src.items, source: src.name, search });
      },
      (e: Error) => setReferenceNote(`The ERP's list could not be read, so ${name} values cannot be checked now: ${e.message}`),
    );
  }, [scope, name]);
  // An editor who cannot retry from the exception gets its missing keys as new rows in the grid instead, and the row
  // to correct (an SKU override sending an item the ERP does not sell) filtered into view.
  useEffect(() => {
    if (!fix || fixHere || readOnly || !grid || prefilled.current) return;
    prefilled.current = true;
    Promise.all([exceptionsApi.get(fix), lookupsApi.get(scope, name)]).then(
      ([e, saved]) => {
        const rows = fixRows(e, saved.rows as Array<Record<string, string>>);
        setGrid((g) => rows.filter((r) => !r.sends).reduce((acc, r) => addRow(acc, r.key), g!));
        const corrected = rows.find((r) => r.sends);
        if (corrected) setFilter(corrected.key.sku ?? '');
      },
      () => {},
    );
  }, [fix, fixHere, readOnly, grid, scope, name]);

  async function save(expectedVersion?: number) {
    if (!grid) return;
    setBusy(true);
    setStatus(null);
    try {
      const v = await lookupsApi.putRows(scope, name, {
        rows: rowsForSave(grid),
        expectedVersion: expectedVersion ?? grid.baseVersion,
        message: note.trim() || undefined,
      });
      await load();
      setNote('');
      // Tables are not held for approval (a missing row must not wait): say it is live, and how to undo it.
      setStatus({ text: `Saved as version ${v.version} (${v.rowCount} rows): the next runs use it (restore an earlier version to undo).` });
      setRetried(v.retried?.runs.length ? v.retried : null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict(e.message);
      else
        setStatus({
          text: `Not saved: ${(e as Error).message}${e instanceof ApiError && e.problems.length ? ` — ${e.problems.map((p) => `${p.where}: ${p.message}`).join('; ')}` : ''}`,
          bad: true,
        });
    } finally {
      setBusy(false);
    }
  }

  async function overwrite() {
    const latest = await lookupsApi.get(scope, name);
    await save(latest.version);
  }

  async function restore(version: number) {
    const v = await lookupsApi.restore(scope, name, version, { expectedVersion: grid?.baseVersion, message: `restored version ${version}` });
    await load();
    setStatus({ text: `Version ${version} restored as version ${v.version}.` });
  }

  async function importCsv(csv: string, mode: 'replace' | 'merge') {
    const v = await lookupsApi.importCsv(scope, name, csv, { mode, expectedVersion: grid?.baseVersion, message: `CSV import (${mode})` });
    await load();
    setPanel(null);
    setStatus({ text: `Imported as version ${v.version} (${v.rowCount} rows).` });
  }

  async function exportCsv() {
    try {
      downloadText(`${scope === 'shared' ? '' : `${scope}-`}${name}.csv`, await lookupsApi.exportCsv(scope, name));
    } catch (e) {
      setStatus({ text: (e as Error).message, bad: true });
    }
  }

  if (!table || !grid) return <p className={`page ${status?.bad ? 'error' : 'muted'}`}>{status?.text ?? 'Loading table…'}</p>;
  const dirty = isDirty(grid);
  const sum = changeSummary(grid);
  const dups = duplicateKeys(grid).size;
  return (
    <section className="page lookup-editor" data-testid="lookup-editor">
      <p className="muted small">
        <Link to={`/lookups${scope === 'shared' ? '' : `?flow=${encodeURIComponent(scope)}`}`}>Lookup tables</Link> / {scope}
      </p>
      <div className="row">
        <h2>{table.title || table.name}</h2>
        <span className="pill" data-testid="lookup-version">
          v{grid.baseVersion}
        </span>
        {readOnly && <span className="pill">read only</span>}
      </div>
      <p className="help">{table.description}</p>
      <div className="row lookup-toolbar">
        <input aria-label="Filter rows" placeholder="Filter rows" value={filter} onChange={(e) => setFilter(e.target.value)} style={{ width: 200 }} />
        {!readOnly && (
          <button type="button" onClick={() => setGrid(addRow(grid))}>
            + Add row
          </button>
        )}
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
        {!readOnly && (
          <button type="button" onClick={() => setPanel(panel === 'import' ? null : 'import')}>
            Import CSV…
          </button>
        )}
        <button type="button" onClick={() => setPanel(panel === 'versions' ? null : 'versions')}>
          Versions
        </button>
        <span className="spacer" />
        {dirty && (
          <span className="save-state dirty" data-testid="lookup-changes">
            {sum.added} added · {sum.changed} changed · {sum.deleted} deleted
          </span>
        )}
        {!readOnly && (
          <input
            aria-label="Change note"
            placeholder="What changed? (optional)"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            style={{ width: 220 }}
          />
        )}
        {!readOnly && (
          <button type="button" className="primary" disabled={!dirty || busy || dups > 0} onClick={() => void save()}>
            {busy ? 'Saving…' : 'Save new version'}
          </button>
        )}
        {dirty && (
          <button type="button" className="ghost" onClick={() => void load()}>
            Discard
          </button>
        )}
      </div>
      {reference && (
        <p className="help" data-testid="lookup-reference-note">
          {reference.search
            ? `${reference.column} values are chosen from ${reference.source}'s active items, searched by code or name.`
            : `${reference.column} values are chosen from ${reference.source}'s ${reference.items.length} records.`}
        </p>
      )}
      {referenceNote && <p className="error">{referenceNote}</p>}
      {status && (
        <p className={status.bad ? 'error' : 'ok-text'} role="status" data-testid="lookup-status">
          {status.text}
        </p>
      )}
      {retried && <RetrySummary batch={retried} />}
      {fixHere && (
        <FixPanel
          exceptionId={fix!}
          table={table}
          reference={reference}
          version={grid?.baseVersion}
          onSaved={() => void merge().catch((e: Error) => setStatus({ text: e.message, bad: true }))}
        />
      )}
      {conflict && (
        <ConflictBanner
          message={conflict}
          onReload={() => void load()}
          onOverwrite={() => void overwrite().catch((e: Error) => setStatus({ text: e.message, bad: true }))}
        />
      )}
      {panel === 'import' && <CsvImport onImport={importCsv} onClose={() => setPanel(null)} />}
      <LookupProposalsPanel scope={scope} name={name} onAccepted={merge} />
      <div className="lookup-body">
        <LookupGrid
          grid={grid}
          filter={filter}
          readOnly={readOnly}
          onCell={(id, c, v) => setGrid(setCell(grid, id, c, v))}
          onToggleDelete={(id) => setGrid(toggleDelete(grid, id))}
          reference={reference}
        />
        {panel === 'versions' && (
          <LookupVersions scope={scope} name={name} current={grid.baseVersion} readOnly={readOnly} onRestore={restore} onClose={() => setPanel(null)} />
        )}
      </div>
    </section>
  );
}
