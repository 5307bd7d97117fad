import { useState, type FormEvent } from 'react';
import { useSession } from '../app/session.ts';
import { useNeedsApproval } from '../approvals/use-approval.ts';
import { ConfirmChange, PublishReview, blockedReason, needsConfirmation, usePublishReview } from '../publish/PublishReview.tsx';

/** Saves the draft, shows its checks and the dry run on the last orders, then publishes on confirmation. */
export function MapperPublishDialog({
  flowId,
  prepare,
  onPublish,
  onClose,
}: {
  flowId: string;
  prepare(): Promise<void>;
  onPublish(message: string): Promise<void>;
  onClose(): void;
}) {
  const role = useSession((s) => s.user?.role);
  const review = usePublishReview(flowId, prepare);
  const [message, setMessage] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const needsApproval = useNeedsApproval(flowId, role);
  const blocked = blockedReason(review, role);
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
      <form className="card modal publish-modal" onSubmit={submit} data-testid="mapper-publish-dialog">
        <h3>{needsApproval ? 'Ask for approval to publish the mapping' : 'Publish the mapping'}</h3>
        {needsApproval && (
          <p className="approval-note" data-testid="approval-note">
            Client changes to this flow need a consultant's approval: your change goes live once a consultant approves it. They see this check and the
            differences below.
          </p>
        )}
        <PublishReview review={review} />
        {review.state !== 'checking' && !review.problems.length && (
          <>
            <label>
              What changed?
              <input /* biome-ignore lint/a11y/noAutofocus: the dialog the person just opened (WAI-ARIA dialog pattern) takes focus to its one field */
                autoFocus
                name="message"
                value={message}
                onChange={(e) => setMessage(e.target.value)}
                required
                placeholder="e.g. Map the order note to the ERP reference"
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
