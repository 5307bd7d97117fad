import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { VersionInfo } from '../api/types.ts';
import { useSession } from '../app/session.ts';
import { useFlowStoreApi } from '../store/context.tsx';
import { isPending } from '../api/change-requests.ts';
import { useNeedsApproval } from '../approvals/use-approval.ts';
import { ConfirmChange, PublishReview, blockedReason, needsConfirmation, usePublishReview } from '../publish/PublishReview.tsx';

/** Saves the draft, shows its checks and the dry run on the last orders, then publishes on confirmation. */
export function PublishDialog({
  flush,
  onClose,
  onPublished,
  onRequested,
}: {
  flush(): Promise<void>;
  onClose(): void;
  onPublished(v: VersionInfo): void;
  onRequested(): void;
}) {
  const store = useFlowStoreApi();
  const role = useSession((s) => s.user?.role);
  const review = usePublishReview(store.getState().flow.id, flush);
  const [message, setMessage] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsApproval = useNeedsApproval(store.getState().flow.id, role);
  const blocked = blockedReason(review, role);

  useEffect(() => {
    // The problems also go on the canvas, each on its node.
    if (review.state === 'ready') store.getState().setProblems(review.problems, store.getState().revision);
  }, [review, store]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await flush();
      const v = await api.publish(store.getState().flow.id, message.trim());
      store.getState().setProblems([], store.getState().revision);
      if (isPending(v)) onRequested();
      else onPublished(v);
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
      <form className="card modal publish-modal" onSubmit={submit} data-testid="publish-dialog">
        <h3>{needsApproval ? 'Ask for approval to publish' : 'Publish a new version'}</h3>
        {needsApproval && (
          <p className="approval-note" data-testid="approval-note">
            Client changes to this flow need a consultant's approval: your change goes live once a consultant approves it.
          </p>
        )}
        <PublishReview review={review} />
        {review.state !== 'checking' && !review.problems.length && (
          <>
            <label>
              What changed?
              <input /* biome-ignore lint/a11y/noAutofocus: the dialog the person just opened (WAI-ARIA dialog pattern) takes focus to its one field */
                autoFocus
                value={message}
                onChange={(e) => setMessage(e.target.value)}
                placeholder="e.g. Map tax lines to ERP tax codes"
                required
                name="message"
              />
            </label>
            <ConfirmChange review={review} checked={confirmed} onChange={setConfirmed} />
          </>
        )}
        {blocked && review.state === 'ready' && review.report && (
          <p className="error" role="alert">
            {blocked}
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" className="ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !!blocked || (needsConfirmation(review) && !confirmed)}>
            {busy ? (needsApproval ? 'Sending…' : 'Publishing…') : needsApproval ? 'Submit for approval' : 'Publish'}
          </button>
        </div>
      </form>
    </div>
  );
}
