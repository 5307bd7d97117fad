// Someone saved the table after it was opened here: take theirs, or save these edits on top of theirs.
export function ConflictBanner({ message, onReload, onOverwrite }: { message: string; onReload(): void; onOverwrite(): void }) {
  return (
    <div className="conflict" role="alert" data-testid="lookup-conflict">
      <strong>Not saved: the table changed since you opened it.</strong> <span className="muted">{message}</span>
      <div className="row">
        <button type="button" onClick={onReload}>
          Load their version (discard my edits)
        </button>
        <button type="button" onClick={onOverwrite}>
          Save mine over theirs
        </button>
      </div>
    </div>
  );
}
