import { useMemo } from 'react';
import type { JsonSchema, Problem } from '../api/types.ts';
import { checkField, fieldsOf } from './schema-fields.ts';
import { FieldInput } from './fields/FieldInput.tsx';

interface Props {
  nodeId: string;
  schema: JsonSchema;
  config: Record<string, unknown>;
  onChange(config: Record<string, unknown>, key: string): void;
  /** Server problems for this node, matched to fields by their JSON path. */
  problems: Problem[];
  disabled?: boolean;
  connectionKind?: string;
}

export function SchemaForm({ nodeId, schema, config, onChange, problems, disabled, connectionKind }: Props) {
  const fields = useMemo(() => fieldsOf(schema), [schema]);
  if (fields.length === 0) return <p className="muted">This node has no settings.</p>;
  return (
    <div className="schema-form">
      {fields.map((f) => {
        const id = `cfg-${nodeId}-${f.key}`;
        const local = checkField(f, config[f.key]);
        const server = problems.find((p) => new RegExp(`\\.config\\.${f.key}(\\b|$)`).test(p.path))?.message;
        const error = local ?? server;
        return (
          <div key={f.key} className={`field ${error ? 'invalid' : ''}`} data-field={f.key}>
            <label htmlFor={id}>
              {f.label}
              {f.required && (
                <span className="req" title="required">
                  *
                </span>
              )}
            </label>
            <FieldInput
              id={id}
              field={f}
              value={config[f.key]}
              disabled={disabled}
              connectionKind={connectionKind}
              onChange={(v) => {
                const next = { ...config };
                if (v === undefined) delete next[f.key];
                else next[f.key] = v;
                onChange(next, f.key);
              }}
            />
            {f.description && <div className="help">{f.description}</div>}
            {error && (
              <div className="error field-error" data-testid={`field-error-${f.key}`}>
                {error}
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
