import type { Field } from '../schema-fields.ts';
import { CodeEditor } from '../CodeEditor.tsx';
import { ConnectionPicker } from './ConnectionPicker.tsx';
import { CronInput } from './CronInput.tsx';
import { JsonInput } from './JsonInput.tsx';

interface Props {
  id: string;
  field: Field;
  value: unknown;
  onChange(v: unknown): void;
  disabled?: boolean;
  connectionKind?: string;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function FieldInput({ id, field, value, onChange, disabled, connectionKind }: Props) {
  switch (field.kind) {
    case 'code':
      return <CodeEditor value={str(value)} onChange={(v) => onChange(v)} readOnly={disabled} label={field.label} />;
    case 'cron':
      return <CronInput id={id} value={str(value)} onChange={onChange} disabled={disabled} />;
    case 'connection':
      return (
        <ConnectionPicker
          id={id}
          value={str(value)}
          onChange={(v) => onChange(v || undefined)}
          kind={field.connectionKind ?? connectionKind}
          disabled={disabled}
        />
      );
    case 'boolean':
      // Unset shows the node's default (a check that is on unless turned off must not look off).
      return (
        <input
          id={id}
          type="checkbox"
          checked={typeof value === 'boolean' ? value : field.schema.default === true}
          onChange={(e) => onChange(e.target.checked)}
          disabled={disabled}
        />
      );
    case 'integer':
    case 'number':
      return (
        <input
          id={id}
          type="number"
          step={field.kind === 'integer' ? 1 : 'any'}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
          disabled={disabled}
        />
      );
    case 'enum': {
      const idx = field.options!.findIndex((o) => o.value === value);
      return (
        <select id={id} value={idx} onChange={(e) => onChange(field.options![Number(e.target.value)]?.value)} disabled={disabled}>
          <option value={-1}>—</option>
          {field.options!.map((o, i) => (
            <option /* biome-ignore lint/suspicious/noArrayIndexKey: the option's value is its index in a fixed list */ key={i} value={i}>
              {o.label}
            </option>
          ))}
        </select>
      );
    }
    case 'textarea':
      return (
        <textarea id={id} rows={4} value={str(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} disabled={disabled} />
      );
    case 'json':
      return <JsonInput id={id} value={value} onChange={onChange} disabled={disabled} />;
    default:
      return (
        <input id={id} type="text" value={str(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} disabled={disabled} />
      );
  }
}
