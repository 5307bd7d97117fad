// The inputs an action needs: a note to resolve, an assignee and/or owning team to assign.
import { useEffect, useState, type FormEvent } from 'react';
import { exceptionsApi, type ActionInput, type ExceptionAction, type ExceptionOwner } from '../api/exceptions.ts';

export const OWNERS: ExceptionOwner[] = ['finance', 'operations', 'ecommerce'];

export function ActionForm({
  action,
  exceptionId,
  onSubmit,
  onCancel,
}: {
  action: ExceptionAction;
  /** One exception (not a bulk action): resolving it says what it leaves undone. */
  exceptionId?: string;
  onSubmit(i: ActionInput): void;
  onCancel(): void;
}) {
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState('');
  const [owner, setOwner] = useState<ExceptionOwner | ''>('');
  // The people who can take it (the server refuses anyone else): offered as the address is typed.
  const [people, setPeople] = useState<Array<{ email: string; name: string }>>([]);
  useEffect(() => {
    if (action === 'assign')
      exceptionsApi.assignees().then(
        (r) => setPeople(r.assignees),
        () => {},
      );
  }, [action]);
  // Resolving by hand posts nothing: failed runs still holding orders stay failed, and no later fix retries them.
  const [stranded, setStranded] = useState(0);
  useEffect(() => {
    if (action === 'resolve' && exceptionId)
      exceptionsApi.get(exceptionId).then(
        (d) => setStranded(d.runs.filter((r) => r.status === 'failed').length),
        () => {},
      );
  }, [action, exceptionId]);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (action === 'assign') onSubmit({ assignee: assignee.trim() || undefined, owner: owner || undefined, note: note.trim() || undefined });
    else onSubmit({ note: note.trim() || undefined });
  }
  const valid = action === 'resolve' ? note.trim() !== '' : action === 'assign' ? assignee.trim() !== '' || owner !== '' : true;
  return (
    <form className="row action-form" onSubmit={submit} data-testid={`form-${action}`}>
      {action === 'assign' && (
        <>
          <input
            aria-label="Assignee"
            placeholder="Assign to (email)"
            list="exception-assignees"
            value={assignee}
            onChange={(e) => setAssignee(e.target.value)}
            style={{ width: 200 }}
          />
          <datalist id="exception-assignees">
            {people.map((p) => (
              <option key={p.email} value={p.email}>
                {p.name}
              </option>
            ))}
          </datalist>
          <select aria-label="Owning team" value={owner} onChange={(e) => setOwner(e.target.value as ExceptionOwner | '')} style={{ width: 140 }}>
            <option value="">same team</option>
            {OWNERS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </>
      )}
      <input
        aria-label="Note"
        placeholder={action === 'resolve' ? 'What was done? (required)' : 'Note (optional)'}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        style={{ width: 260 }}
      />
      <button type="submit" className="primary" disabled={!valid}>
        {action.charAt(0).toUpperCase() + action.slice(1)}
      </button>
      <button type="button" className="ghost" onClick={onCancel}>
        Cancel
      </button>
      {stranded > 0 && (
        <p className="warn-text" data-testid="resolve-stranded" style={{ flexBasis: '100%', margin: 0 }}>
          {stranded} failed run{stranded === 1 ? '' : 's'} of this exception {stranded === 1 ? 'was' : 'were'} not retried: resolving posts nothing, and a later
          fix of the cause will not retry {stranded === 1 ? 'it' : 'them'}. Fix the cause and retry, or resolve only if handled another way.
        </p>
      )}
    </form>
  );
}
