import type { FlowDiff } from '../api/types.ts';
import { diffId as idOf } from './diff-marks.ts';

export function DiffView({ diff, from, to }: { diff: FlowDiff; from: number; to: number }) {
  const empty = !diff.nodes.added.length && !diff.nodes.removed.length && !diff.nodes.changed.length && !diff.edges.added.length && !diff.edges.removed.length;
  return (
    <div className="diff" data-testid="diff">
      <h5>
        v{from} → v{to}
      </h5>
      {empty ? (
        <p className="muted">No differences.</p>
      ) : (
        <p className="help diff-legend">
          On the canvas: <span className="pill diff-added">added</span> <span className="pill diff-changed">changed</span>; removed nodes are listed here.
        </p>
      )}
      <ul>
        {diff.nodes.added.map(idOf).map((id) => (
          <li key={`a${id}`} className="added">
            + node <code>{id}</code>
          </li>
        ))}
        {diff.nodes.removed.map(idOf).map((id) => (
          <li key={`r${id}`} className="removed" data-removed-node={id}>
            − node <code>{id}</code>
          </li>
        ))}
        {diff.nodes.changed.map((c) => (
          <li key={`c${c.id}`} className="changed" data-changed-node={c.id}>
            ~ node <code>{c.id}</code>:{' '}
            {c.fields.map((f) => (
              <code key={f}>{f}</code>
            ))}
          </li>
        ))}
        {diff.edges.added.map(idOf).map((id) => (
          <li key={`ea${id}`} className="added">
            + edge <code>{id}</code>
          </li>
        ))}
        {diff.edges.removed.map(idOf).map((id) => (
          <li key={`er${id}`} className="removed">
            − edge <code>{id}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
