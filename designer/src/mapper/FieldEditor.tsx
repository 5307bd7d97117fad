// The selected target: its name, whether it is required, its source and its transforms (added from a menu).
import { useMemo } from 'react';
import { getField, hasCode, targetLabel } from './model/fields.ts';
import { TRANSFORM_MENU, describeTransform } from './model/transforms.ts';
import { buildSourceTree, flattenPaths } from './model/source-tree.ts';
import { useMapper, useMapperEnv } from './context.ts';
import { SourceEditor } from './SourceEditor.tsx';
import { TransformEditor } from './TransformEditor.tsx';

export function FieldEditor() {
  const { store, canEditCode } = useMapperEnv();
  const addr = useMapper((s) => s.selected);
  const fields = useMapper((s) => s.fields);
  const sample = useMapper((s) => s.sample?.value);
  const paths = useMemo(() => flattenPaths(buildSourceTree(sample)).map((n) => n.path), [sample]);
  const f = addr ? getField(fields, addr) : undefined;
  if (!addr || !f) return <div className="card field-editor muted">Select a target field to set where its value comes from.</div>;
  const locked = hasCode(f) && !canEditCode;
  const s = store.getState();
  return (
    <div className="card field-editor" data-testid="field-editor">
      <div className="row">
        <h3>{targetLabel(fields, addr)}</h3>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={() => s.removeField(addr)} disabled={locked}>
          Remove target
        </button>
      </div>
      {locked && <p className="help">This field uses an expression a consultant wrote; ask them to change it.</p>}
      <div className="row">
        <label style={{ flex: 1 }}>
          Target name
          <input aria-label="Target name" value={f.target} disabled={locked} onChange={(e) => s.setTarget(addr, e.target.value)} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={f.required !== false} disabled={locked} onChange={(e) => s.setRequired(addr, e.target.checked)} />
          Required
        </label>
      </div>
      {!locked && <SourceEditor source={f.source} paths={paths} onChange={(src) => s.setSource(addr, src)} />}
      {f.source.kind !== 'each' && (
        <div className="transforms">
          <h4>
            Transforms <span className="muted small">applied in order</span>
          </h4>
          <ol>
            {(f.transforms ?? []).map((t, i) => (
              <li /* biome-ignore lint/suspicious/noArrayIndexKey: controlled rows with no state of their own, and the model gives them no ids (a transform is a value); moves and removals re-render every row from the store */
                key={i}
                data-transform={t.op}
              >
                <div className="row">
                  <strong>{describeTransform(t)}</strong>
                  <span className="spacer" />
                  <button type="button" className="ghost" aria-label="Move up" disabled={locked || i === 0} onClick={() => s.moveTransform(addr, i, -1)}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="ghost"
                    aria-label="Move down"
                    disabled={locked || i === (f.transforms?.length ?? 0) - 1}
                    onClick={() => s.moveTransform(addr, i, 1)}
                  >
                    ↓
                  </button>
                  <button type="button" className="ghost" aria-label="Remove transform" disabled={locked} onClick={() => s.removeTransform(addr, i)}>
                    ×
                  </button>
                </div>
                {!locked && (
                  <div className="row transform-settings">
                    <TransformEditor t={t} onChange={(nt) => s.updateTransform(addr, i, nt)} />
                  </div>
                )}
              </li>
            ))}
          </ol>
          {!locked && (
            <select
              aria-label="Add transform"
              value=""
              onChange={(e) => {
                const item = TRANSFORM_MENU.find((m) => m.op === e.target.value);
                if (item) s.addTransform(addr, item.make());
              }}
            >
              <option value="">+ Add a transform…</option>
              {TRANSFORM_MENU.map((m) => (
                <option key={m.op} value={m.op}>
                  {m.label}
                </option>
              ))}
            </select>
          )}
        </div>
      )}
      {f.source.kind === 'each' && !locked && (
        <button type="button" onClick={() => s.addField(addr)}>
          + Add a field inside {f.target}
        </button>
      )}
    </div>
  );
}
