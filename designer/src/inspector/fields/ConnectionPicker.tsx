import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { ConnectionInfo } from '../../api/types.ts';

let cache: Promise<ConnectionInfo[]> | null = null;
const loadConnections = () =>
  (cache ??= api.connections().then(
    (r) => r.connections,
    (e) => ((cache = null), Promise.reject(e)),
  ));

const KIND_TEXT: Record<string, string> = { shopify: 'a Shopify connection', erp: 'an ERP connection' };

export function ConnectionPicker({
  id,
  value,
  onChange,
  kind,
  disabled,
}: {
  id: string;
  value: string;
  onChange(v: string): void;
  kind?: string;
  disabled?: boolean;
}) {
  const [list, setList] = useState<ConnectionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadConnections().then(setList, (e: Error) => setError(e.message));
  }, []);
  const options = (list ?? []).filter((c) => !kind || c.kind === kind);
  // A value outside the offered ones: of another kind (validation says so under the field), or gone.
  const other = (list ?? []).find((c) => c.id === value);
  return (
    <>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled}>
        <option value="">{list ? 'Choose a connection…' : 'Loading connections…'}</option>
        {options.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} ({c.provider}){c.hasSecret ? '' : ' — no credentials'}
          </option>
        ))}
        {value && list && !options.some((c) => c.id === value) && (
          <option value={value}>
            {value} ({other ? (KIND_TEXT[other.kind] ?? `a ${other.kind} connection`) : 'not found'})
          </option>
        )}
      </select>
      {error && <div className="error">{error}</div>}
    </>
  );
}
