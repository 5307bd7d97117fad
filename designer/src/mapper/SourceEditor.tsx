// Where one target's value comes from: a sample path (typed or picked), a constant, or a lookup table.
import { useState } from 'react';
import type { SourceInput } from './model/fields.ts';
import { switchSourceKind } from './model/fields.ts';
import { parseConstant } from './model/transforms.ts';
import { useMapperEnv } from './context.ts';

type Lookup = Extract<SourceInput, { kind: 'lookup' }>;

export function SourceEditor({ source, onChange, paths }: { source: SourceInput; onChange(s: SourceInput): void; paths: string[] }) {
  if (source.kind === 'expr' || source.kind === 'each') {
    return (
      <p className="help">
        {source.kind === 'each' ? `A list: one element per item of ${source.path}. Its fields are listed under it.` : 'An expression (set by a consultant).'}
      </p>
    );
  }
  return (
    <div className="source-editor">
      <div className="row seg" role="radiogroup" aria-label="Source kind">
        {(['path', 'const', 'lookup'] as const).map((k) => (
          <label key={k} className="inline">
            <input type="radio" name="source-kind" checked={source.kind === k} onChange={() => onChange(switchSourceKind(source, k))} />
            {k === 'path' ? 'Sample field' : k === 'const' ? 'Constant' : 'Lookup table'}
          </label>
        ))}
      </div>
      {source.kind === 'path' && (
        <label>
          Field path
          <input
            aria-label="Source path"
            list="mapper-paths"
            value={source.path}
            onChange={(e) => onChange({ kind: 'path', path: e.target.value })}
            placeholder="e.g. order.email"
          />
          <datalist id="mapper-paths">
            {paths.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
      )}
      {source.kind === 'const' && <ConstantInput value={source.value} onChange={(value) => onChange({ kind: 'const', value })} />}
      {source.kind === 'lookup' && <LookupSourceInput source={source} onChange={onChange} paths={paths} />}
    </div>
  );
}

function ConstantInput({ value, onChange }: { value: unknown; onChange(v: unknown): void }) {
  const initial = value === null ? 'null' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text';
  const [as, setAs] = useState<'text' | 'number' | 'boolean' | 'null'>(initial);
  const [text, setText] = useState(value === null || value === undefined ? '' : String(value));
  const [error, setError] = useState<string | null>(null);
  const apply = (t: string, a: typeof as) => {
    setText(t);
    setAs(a);
    try {
      onChange(parseConstant(t, a));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="row">
      <select aria-label="Constant type" value={as} onChange={(e) => apply(text, e.target.value as typeof as)} style={{ width: 110 }}>
        <option value="text">Text</option>
        <option value="number">Number</option>
        <option value="boolean">Yes/no</option>
        <option value="null">Empty (null)</option>
      </select>
      {as !== 'null' && <input aria-label="Constant value" value={text} onChange={(e) => apply(e.target.value, as)} style={{ flex: 1, width: 'auto' }} />}
      {error && <span className="error field-error">{error}</span>}
    </div>
  );
}

function LookupSourceInput({ source, onChange, paths }: { source: Lookup; onChange(s: SourceInput): void; paths: string[] }) {
  const { tables } = useMapperEnv();
  const table = tables.find((t) => t.name === source.table);
  const keyCols = table?.keyColumns ?? [];
  const keyOf = (col: string) => (typeof source.key === 'string' ? (keyCols[0]?.name === col ? source.key : '') : (source.key[col] ?? ''));
  const setKey = (col: string, path: string) => {
    if (keyCols.length <= 1) return onChange({ ...source, key: path });
    const obj: Record<string, string> = typeof source.key === 'string' ? (keyCols[0] ? { [keyCols[0].name]: source.key } : {}) : { ...source.key };
    if (path) obj[col] = path;
    else delete obj[col];
    onChange({ ...source, key: obj });
  };
  return (
    <div className="lookup-source">
      <label>
        Table
        <select
          aria-label="Lookup table"
          value={source.table}
          onChange={(e) =>
            onChange({
              kind: 'lookup',
              table: e.target.value,
              key: typeof source.key === 'string' ? source.key : '',
              ...(source.missing ? { missing: source.missing } : {}),
            })
          }
        >
          <option value="">Choose a table…</option>
          {tables.map((t) => (
            <option key={`${t.scope}/${t.name}`} value={t.name}>
              {t.title || t.name} ({t.scope === 'shared' ? 'shared' : 'this flow'})
            </option>
          ))}
        </select>
      </label>
      {(keyCols.length ? keyCols : [{ name: 'key', optional: false }]).map((k) => (
        <label key={k.name}>
          Key "{k.name}" comes from{k.optional ? ' (optional)' : ''}
          <input
            aria-label={`Lookup key ${k.name}`}
            list="mapper-paths"
            value={keyOf(k.name) || (keyCols.length ? '' : typeof source.key === 'string' ? source.key : '')}
            onChange={(e) => setKey(k.name, e.target.value)}
            placeholder="a sample field path"
          />
        </label>
      ))}
      {table && (
        <label>
          Value column
          <select
            aria-label="Lookup column"
            value={source.column ?? ''}
            onChange={(e) => {
              const { column: _c, ...rest } = source;
              onChange(e.target.value ? { ...rest, column: e.target.value } : rest);
            }}
          >
            <option value="">{table.valueColumns[0]} (first)</option>
            {table.valueColumns.slice(1).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="inline" title="For tables of exceptions (e.g. SKU overrides): most keys are already the value the target wants">
        <input
          type="checkbox"
          aria-label="No row: use the key itself"
          checked={source.missing === 'key'}
          disabled={typeof source.key !== 'string' && Object.keys(source.key).length > 1}
          onChange={(e) => {
            const { missing: _m, ...rest } = source;
            onChange(e.target.checked ? { ...rest, missing: 'key' } : rest);
          }}
        />
        No row for the key: use the key itself (otherwise the run fails and raises an exception)
      </label>
      <datalist id="mapper-paths">
        {paths.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
    </div>
  );
}
