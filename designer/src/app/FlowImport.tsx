// "Import JSON…" on the flow list: a flow exported from another Ledgerline (or this one) becomes a flow here, or the
// new draft of the flow with its id, after the consultant says so. Its versions, and the version that is live, stay:
// the imported draft goes live only through "Publish…", like any edit.
import { useRef, useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { Flow, FlowSummary } from '../api/types.ts';
import { flowFileName, flowFileText, readFlowFile } from './flow-file.ts';
import { navigate } from './router.ts';
import { downloadText } from '../lookups/download.ts';

/** Downloads the draft, or a published version, as the file "Import JSON…" takes. */
export async function downloadFlowFile(id: string, version?: number): Promise<void> {
  downloadText(flowFileName(id, version), flowFileText(await api.exportFlow(id, version)), 'application/json');
}

/** What the file led to is shown where the page is: the list may have been scrolled to a row's Export. */
const into = (el: HTMLElement | null) => el?.scrollIntoView({ block: 'nearest' });

interface Props {
  flows: FlowSummary[] | null;
}

export function FlowImport({ flows }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A file whose flow id is taken: waits for "Replace the draft" or "Cancel". */
  const [pending, setPending] = useState<{ flow: Flow; file: string; existing: FlowSummary } | null>(null);

  async function send(flow: Flow) {
    setBusy(true);
    try {
      const s = await api.importFlow(flow);
      navigate(`/flows/${encodeURIComponent(s.id)}`);
    } catch (e) {
      const problems = e instanceof ApiError ? e.problems.map((p) => `${p.where} ${p.path}: ${p.message}`) : [];
      setError([(e as Error).message, ...problems].join('; '));
    } finally {
      setBusy(false);
    }
  }

  async function chosen(files: FileList | null) {
    const file = files?.[0];
    if (input.current) input.current.value = ''; // the same file may be chosen again after a fix
    if (!file) return;
    setError(null);
    setPending(null);
    const read = readFlowFile(file.name, await file.text());
    if (!read.ok) return setError(read.error);
    const existing = flows?.find((f) => f.id === read.flow.id);
    if (existing) return setPending({ flow: read.flow, file: file.name, existing });
    await send(read.flow);
  }

  return (
    <div className="flow-import">
      <button type="button" onClick={() => input.current?.click()} disabled={busy}>
        Import JSON…
      </button>
      <input ref={input} type="file" accept=".json,application/json" hidden aria-label="Flow JSON file" onChange={(e) => void chosen(e.target.files)} />
      {error && (
        <p className="error" role="alert" data-testid="import-error" ref={into}>
          {error}
        </p>
      )}
      {pending && (
        <div className="notice-inline warn" role="alertdialog" aria-label="Replace the draft?" data-testid="import-confirm" ref={into}>
          <p>
            {pending.file} is the flow “{pending.flow.id}”, which is here already as “{pending.existing.name}”. Importing replaces its draft
            {pending.existing.activeVersion ? `; version ${pending.existing.activeVersion} stays live until you publish the import` : ''}. Its versions are
            kept.
          </p>
          <button type="button" className="primary" disabled={busy} onClick={() => void send(pending.flow)}>
            Replace the draft
          </button>{' '}
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}
