// The target fields of the map node, each with its source, transforms and — from the live preview — its value and
// where it came from. A source dropped on a row fills it; dropped on the pane's foot it adds a new target.
import type { DragEvent } from 'react';
import { allAddrs, describeSource, genericTarget, getField, targetLabel, type Addr } from './model/fields.ts';
import { describeTransform } from './model/transforms.ts';
import { useMapper, useMapperEnv } from './context.ts';
import { DRAG_TYPE } from './SourceTree.tsx';

const same = (a: Addr | null, b: Addr) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);
const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));

function dropHandlers(onPath: (path: string) => void) {
  return {
    onDragOver: (e: DragEvent) => {
      if (![...e.dataTransfer.types].includes(DRAG_TYPE)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      (e.currentTarget as HTMLElement).classList.add('drop-over');
    },
    onDragLeave: (e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove('drop-over'),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      (e.currentTarget as HTMLElement).classList.remove('drop-over');
      const path = e.dataTransfer.getData(DRAG_TYPE);
      if (path) onPath(path);
    },
  };
}

export function TargetPane() {
  const { store } = useMapperEnv();
  const fields = useMapper((s) => s.fields);
  const selected = useMapper((s) => s.selected);
  const preview = useMapper((s) => s.preview);
  const addrs = allAddrs(fields);
  return (
    <div className="target-pane card" data-testid="target-pane">
      <h3>Target fields</h3>
      {addrs.length === 0 && <p className="muted">No target fields yet: drop a source field below.</p>}
      <table className="table compact targets">
        <thead>
          <tr>
            <th>Target</th>
            <th>Source and transforms</th>
            <th>Value in the sample</th>
          </tr>
        </thead>
        <tbody>
          {addrs.map((addr) => {
            const f = getField(fields, addr)!;
            const label = targetLabel(fields, addr);
            const trace = preview?.fields.find((t) => genericTarget(t.target) === label);
            const problem = preview?.problems.find((p) => genericTarget(p.target) === label);
            const error = trace?.error ?? problem?.message;
            return (
              <tr
                key={addr.join('.')}
                data-target={label}
                className={`${same(selected, addr) ? 'selected' : ''} ${error ? 'has-error' : ''}`}
                onClick={() => store.getState().select(addr)}
                {...dropHandlers((p) => store.getState().assignPath(addr, p))}
              >
                <td style={{ paddingLeft: 6 + 16 * (addr.length - 1) }}>
                  <strong>{f.target}</strong>
                  {f.required === false ? <span className="muted"> (optional)</span> : <span className="req"> *</span>}
                </td>
                <td>
                  <code data-testid="target-source">{describeSource(f.source)}</code>
                  {(f.transforms ?? []).map((t, i) => (
                    <span /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */
                      key={i}
                      className="pill transform-pill"
                    >
                      {describeTransform(t)}
                    </span>
                  ))}
                </td>
                <td data-testid="target-value">
                  {error ? (
                    <span className="error">{error}</span>
                  ) : trace?.count ? (
                    <span className="muted">
                      {trace.count.kept} of {trace.count.elements} elements
                    </span>
                  ) : trace ? (
                    <>
                      <code className="value">{show(trace.value)}</code>
                      <div className="help" data-testid="target-origin">
                        from {trace.kind === 'lookup' && trace.lookup ? `${trace.lookup.table} v${trace.lookup.version} · ` : ''}
                        {trace.source}
                      </div>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="drop-new" data-testid="drop-new" {...dropHandlers((p) => store.getState().addField(null, p))}>
        Drop a source field here to add a target
        <button type="button" onClick={() => store.getState().addField(null)}>
          Add target
        </button>
      </div>
    </div>
  );
}
