import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { VersionInfo } from '../api/types.ts';
import { useFlowStoreApi } from '../store/context.tsx';

export function PublishDialog({ flush, onClose, onPublished }: { flush(): Promise<void>; onClose(): void; onPublished(v: VersionInfo): void }) {
  const store = useFlowStoreApi();
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await flush();
      const v = await api.publish(store.getState().flow.id, message.trim());
      store.getState().setProblems([], store.getState().revision);
      onPublished(v);
    } catch (err) {
      if (err instanceof ApiError && err.problems.length) {
        store.getState().setProblems(err.problems, store.getState().revision);
        setError(`Not published: ${err.problems.length} problem${err.problems.length > 1 ? 's' : ''} to fix (see the list below the canvas).`);
      } else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="modal-backdrop">
      <form className="card modal" onSubmit={submit} data-testid="publish-dialog">
        <h3>Publish a new version</h3>
        <label>
          What changed?
          <input autoFocus value={message} onChange={(e) => setMessage(e.target.value)} placeholder="e.g. Map tax lines to ERP tax codes" required name="message" />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="row end">
          <button type="button" className="ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>{busy ? 'Publishing…' : 'Publish'}</button>
        </div>
      </form>
    </div>
  );
}
