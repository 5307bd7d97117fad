import { useState, type FormEvent } from 'react';

export function MapperPublishDialog({ onPublish, onClose }: { onPublish(message: string): Promise<void>; onClose(): void }) {
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onPublish(message.trim());
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }
  return (
    <div className="modal-backdrop">
      <form className="card modal" onSubmit={submit} data-testid="mapper-publish-dialog">
        <h3>Publish the mapping</h3>
        <p className="help">The draft is saved, then published as a new version; the next run uses it.</p>
        <label>What changed?<input autoFocus name="message" value={message} onChange={(e) => setMessage(e.target.value)} required placeholder="e.g. Map the order note to the ERP reference" /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="row end">
          <button type="button" className="ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>{busy ? 'Publishing…' : 'Publish'}</button>
        </div>
      </form>
    </div>
  );
}
