// The settings of one transform, by operation. Rounding is always explicit: money never rounds by accident.
import type { TransformInput } from './model/fields.ts';
import { ROUNDINGS } from './model/transforms.ts';

type Props<T> = { t: T; onChange(t: TransformInput): void };
type Of<K extends TransformInput['op']> = Extract<TransformInput, { op: K }>;

const ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Australia/Sydney',
  'Asia/Tokyo',
];

function Select<V extends string>({ label, value, options, onChange }: { label: string; value: V; options: readonly V[]; onChange(v: V): void }) {
  return (
    <label className="inline">
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as V)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function Text({ label, value, onChange, width = 90 }: { label: string; value: string; onChange(v: string): void; width?: number }) {
  return (
    <label className="inline">
      {label}
      <input aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} style={{ width }} />
    </label>
  );
}

function Num({ label, value, onChange }: { label: string; value: number | undefined; onChange(v: number | undefined): void }) {
  return (
    <label className="inline">
      {label}
      <input
        aria-label={label}
        type="number"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        style={{ width: 70 }}
      />
    </label>
  );
}

function Operand({
  label,
  value,
  onChange,
}: {
  label: string;
  value: { path: string } | { const: string | number };
  onChange(v: { path: string } | { const: string | number }): void;
}) {
  const isPath = 'path' in value;
  return (
    <span className="row operand">
      <select
        aria-label={`${label} kind`}
        value={isPath ? 'path' : 'const'}
        onChange={(e) => onChange(e.target.value === 'path' ? { path: '' } : { const: '' })}
        style={{ width: 90 }}
      >
        <option value="path">field</option>
        <option value="const">text</option>
      </select>
      <input
        aria-label={label}
        list="mapper-paths"
        value={isPath ? value.path : String(value.const)}
        onChange={(e) => onChange(isPath ? { path: e.target.value } : { const: e.target.value })}
        style={{ width: 150 }}
      />
    </span>
  );
}

export function TransformEditor({ t, onChange }: Props<TransformInput>) {
  switch (t.op) {
    case 'trim':
      return <Select label="Side" value={t.side ?? 'both'} options={['both', 'start', 'end'] as const} onChange={(side) => onChange({ ...t, side })} />;
    case 'case':
      return <Select label="To" value={t.to} options={['upper', 'lower', 'title'] as const} onChange={(to) => onChange({ ...t, to })} />;
    case 'pad':
      return <Pad t={t} onChange={onChange} />;
    case 'truncate':
      return <Num label="Length" value={t.length} onChange={(length) => onChange({ ...t, length: length ?? 0 })} />;
    case 'replace':
      return (
        <>
          <Text label="Find" value={t.find} onChange={(find) => onChange({ ...t, find })} />
          <Text label="With" value={t.with ?? ''} onChange={(w) => onChange({ ...t, with: w })} />
        </>
      );
    case 'split':
      return (
        <>
          <Text label="Separator" value={t.separator} onChange={(separator) => onChange({ ...t, separator })} width={50} />
          <Num
            label="Take part"
            value={t.index}
            onChange={(index) => onChange(index === undefined ? { op: 'split', separator: t.separator } : { ...t, index })}
          />
        </>
      );
    case 'join':
      return <Text label="Separator" value={t.separator ?? ''} onChange={(separator) => onChange({ ...t, separator })} width={50} />;
    case 'date':
      return (
        <>
          <Text label="Format" value={t.format ?? 'yyyy-MM-dd'} onChange={(format) => onChange({ ...t, format })} width={140} />
          <label className="inline">
            Time zone
            <input
              aria-label="Time zone"
              list="mapper-zones"
              value={t.timeZone ?? 'UTC'}
              onChange={(e) => onChange({ ...t, timeZone: e.target.value })}
              style={{ width: 150 }}
            />
            <datalist id="mapper-zones">
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
        </>
      );
    case 'decimal':
      return (
        <>
          <Num label="Places" value={t.places} onChange={(places) => onChange({ ...t, places: places ?? 0 })} />
          <Select label="Rounding" value={t.rounding} options={ROUNDINGS} onChange={(rounding) => onChange({ ...t, rounding })} />
        </>
      );
    case 'math':
      return (
        <>
          <Select
            label="Operator"
            value={t.operator}
            options={['add', 'subtract', 'multiply', 'divide'] as const}
            onChange={(operator) => onChange({ ...t, operator })}
          />
          <Operand label="Operand" value={t.operand} onChange={(operand) => onChange({ ...t, operand })} />
        </>
      );
    case 'negate':
      return <span className="muted">no settings</span>;
    case 'default':
      return (
        <Text
          label="Value"
          value={typeof t.value === 'string' ? t.value : JSON.stringify(t.value)}
          onChange={(value) => onChange({ ...t, value })}
          width={160}
        />
      );
    case 'concat':
      return <Concat t={t} onChange={onChange} />;
    case 'type':
      return (
        <Select label="To" value={t.to} options={['string', 'integer', 'number', 'boolean', 'decimal'] as const} onChange={(to) => onChange({ ...t, to })} />
      );
  }
}

function Pad({ t, onChange }: Props<Of<'pad'>>) {
  return (
    <>
      <Num label="Length" value={t.length} onChange={(length) => onChange({ ...t, length: length ?? 1 })} />
      <Text label="Char" value={t.char ?? ' '} onChange={(char) => onChange({ ...t, char: char.slice(-1) || ' ' })} width={40} />
      <Select label="Side" value={t.side ?? 'start'} options={['start', 'end'] as const} onChange={(side) => onChange({ ...t, side })} />
    </>
  );
}

function Concat({ t, onChange }: Props<Of<'concat'>>) {
  const set = (parts: Of<'concat'>['parts']) => onChange({ ...t, parts });
  return (
    <div className="concat">
      {t.parts.map((p, i) => (
        <span /* biome-ignore lint/suspicious/noArrayIndexKey: controlled parts with no state of their own, and the model gives them no ids */
          key={i}
          className="row"
        >
          <Operand label={`Part ${i + 1}`} value={p} onChange={(v) => set(t.parts.map((x, j) => (j === i ? v : x)))} />
          {t.parts.length > 1 && (
            <button type="button" className="ghost" aria-label={`Remove part ${i + 1}`} onClick={() => set(t.parts.filter((_, j) => j !== i))}>
              ×
            </button>
          )}
        </span>
      ))}
      <span className="row">
        <button type="button" onClick={() => set([...t.parts, { path: '' }])}>
          + part
        </button>
        <Text label="Separator" value={t.separator ?? ''} onChange={(separator) => onChange({ ...t, separator })} width={50} />
      </span>
    </div>
  );
}
