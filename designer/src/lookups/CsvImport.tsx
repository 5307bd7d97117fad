// Import a CSV file (header line = column names): replace every row, or merge rows by key.
import { useState } from 'react';

export function CsvImport({ onImport, onClose }: { onImport(csv: string, mode: 'replace' | 'merge'): Promise<void>; onClose(): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<'replace' | 'merge'>('merge');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function go() {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      await onImport(await file.text(), mode);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="card csv-import" data-testid="csv-import">
      <div className="row">
        <input type="file" accept=".csv,text/csv" aria-label="CSV file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} style={{ width: 'auto' }} />
        <label className="inline">
          <input type="radio" name="csv-mode" checked={mode === 'merge'} onChange={() => setMode('merge')} />
          Add and update rows by key
        </label>
        <label className="inline">
          <input type="radio" name="csv-mode" checked={mode === 'replace'} onChange={() => setMode('replace')} />
          Replace all rows
        </label>
        <button type="button" className="primary" disabled={!file || busy} onClick={() => void go()}>
          Import
        </button>
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
