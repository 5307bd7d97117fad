// The place for the no-code mapper (a later issue). Client users land here instead of the canvas: they may edit
// mappings and lookup tables of a flow, never its structure or code.
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { FlowSummary } from '../api/types.ts';

export function MapperPage({ flowId }: { flowId: string }) {
  const [flow, setFlow] = useState<FlowSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.flow(flowId).then((r) => setFlow(r.flow), (e: Error) => setError(e.message));
  }, [flowId]);
  return (
    <section className="page mapper" data-testid="mapper-page">
      <h2>Mappings · {flow?.name ?? flowId}</h2>
      {error && <p className="error">{error}</p>}
      <div className="mapper-panes">
        <div className="card">
          <h3>Source fields</h3>
          <p className="muted">Fields of the trigger's sample event appear here.</p>
        </div>
        <div className="card">
          <h3>ERP target fields</h3>
          <p className="muted">Drag a source field onto a target, or pick one. Lookup tables open from here.</p>
        </div>
      </div>
      <p className="muted">The mapper editor is not built yet.</p>
    </section>
  );
}
