import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';

export function ProblemsPanel() {
  const store = useFlowStoreApi();
  const problems = useFlowStore((s) => s.problems);
  const nodes = useFlowStore((s) => s.flow.nodes);
  const stale = useFlowStore((s) => s.validatedRevision !== null && s.validatedRevision !== s.revision);
  const nodeIds = new Set(nodes.map((n) => n.id));
  // People know nodes by the name on the canvas; the id stays beside it (messages and paths use it).
  const names = new Map(nodes.filter((n) => n.name).map((n) => [n.id, n.name!]));
  return (
    <section className={`problems ${stale ? 'stale' : ''}`} data-testid="problems">
      <h4>
        Problems <span className={`pill ${problems.length ? 'bad' : 'ok'}`}>{problems.length}</span>
        {stale && <span className="muted small">checking after the next save…</span>}
      </h4>
      {problems.length === 0 ? (
        <p className="muted">No problems found.</p>
      ) : (
        <ul>
          {problems.map((p, i) => {
            const onNode = nodeIds.has(p.where);
            return (
              <li /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>
                <button type="button" className="link" disabled={!onNode} onClick={() => store.getState().focusNode(p.where)} data-problem-where={p.where}>
                  <strong>{names.get(p.where) ?? p.where}</strong>
                  {names.has(p.where) ? <span className="muted"> ({p.where})</span> : null} <code>{p.path}</code> — {p.message}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
