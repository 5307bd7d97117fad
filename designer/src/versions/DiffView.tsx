import type { FlowDiff } from '../api/types.ts';

// The contract leaves the element shape of added/removed open: accept ids or objects with an id.
const idOf = (x: unknown): string => (typeof x === 'string' ? x : String((x as { id?: unknown })?.id ?? JSON.stringify(x)));

export function DiffView({ diff, from, to }: { diff: FlowDiff; from: number; to: number }) {
  const empty = !diff.nodes.added.length && !diff.nodes.removed.length && !diff.nodes.changed.length && !diff.edges.added.length && !diff.edges.removed.length;
  return (
    <div className="diff" data-testid="diff">
      <h5>v{from} → v{to}</h5>
      {empty && <p className="muted">No differences.</p>}
      <ul>
        {diff.nodes.added.map(idOf).map((id) => <li key={`a${id}`} className="added">+ node <code>{id}</code></li>)}
        {diff.nodes.removed.map(idOf).map((id) => <li key={`r${id}`} className="removed">− node <code>{id}</code></li>)}
        {diff.nodes.changed.map((c) => (
          <li key={`c${c.id}`} className="changed">
            ~ node <code>{c.id}</code>: {c.fields.map((f) => <code key={f}>{f}</code>)}
          </li>
        ))}
        {diff.edges.added.map(idOf).map((id) => <li key={`ea${id}`} className="added">+ edge <code>{id}</code></li>)}
        {diff.edges.removed.map(idOf).map((id) => <li key={`er${id}`} className="removed">− edge <code>{id}</code></li>)}
      </ul>
    </div>
  );
}
