// Connections: the Shopify stores and ERPs flows talk to. Secrets are write-only (sent, encrypted, never shown back);
// "Test" reaches the system with the stored credentials; a new Shopify connection shows its webhook URL and secret
// once, to paste into Shopify.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { adminApi } from '../api/admin.ts';
import type { ConnectionInfo } from '../api/types.ts';
import { useSession } from '../app/session.ts';
import { PROVIDERS, missing, newWebhookSecret, providerSpec, splitValues, type ProviderSpec } from './connection-kinds.ts';
import { SettingsTabs } from './SettingsTabs.tsx';

type Editing = { mode: 'new' } | { mode: 'edit'; conn: ConnectionInfo };

export function ConnectionsPage() {
  const role = useSession((s) => s.user?.role);
  const canWrite = role === 'owner' || role === 'consultant';
  const [list, setList] = useState<ConnectionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [tests, setTests] = useState<Record<string, { ok: boolean; message: string } | 'testing'>>({});
  const [shownOnce, setShownOnce] = useState<{ id: string; url: string; secret: string } | null>(null);

  const load = useCallback(
    () =>
      adminApi.connections().then(
        (r) => setList(r.connections),
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);

  async function test(id: string) {
    setTests((t) => ({ ...t, [id]: 'testing' }));
    try {
      const r = await adminApi.testConnection(id);
      setTests((t) => ({ ...t, [id]: r }));
    } catch (e) {
      setTests((t) => ({ ...t, [id]: { ok: false, message: (e as Error).message } }));
    }
  }

  async function remove(c: ConnectionInfo) {
    if (!confirm(`Delete connection ${c.id}? Flows that use it will fail until they are pointed at another one.`)) return;
    try {
      await adminApi.deleteConnection(c.id);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="page" data-testid="connections-page">
      <SettingsTabs active="connections" />
      <div className="row">
        <h2>Connections</h2>
        <span className="spacer" />
        {canWrite && !editing && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setShownOnce(null);
              setEditing({ mode: 'new' });
            }}
          >
            New connection
          </button>
        )}
      </div>
      {!canWrite && <p className="muted">Your role can look at connections and not change them.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {shownOnce && (
        <div className="card shown-once" data-testid="shown-once">
          <strong>Set up the webhooks in Shopify now: the secret is shown only this once.</strong>
          <div className="kv">
            <span>Webhook URL</span>
            <code data-testid="once-url">{shownOnce.url}</code>
          </div>
          <div className="kv">
            <span>Webhook secret</span>
            <code data-testid="once-secret">{shownOnce.secret}</code>
          </div>
          <p className="muted small">
            Shopify signs each delivery with the app’s secret; Ledgerline checks the signature with this one. After you leave this page it can be replaced,
            never read back.
          </p>
          <button type="button" onClick={() => setShownOnce(null)}>
            I have copied them
          </button>
        </div>
      )}
      {editing && (
        <ConnectionForm
          editing={editing}
          onCancel={() => setEditing(null)}
          onSaved={async (id, once) => {
            setEditing(null);
            if (once) setShownOnce({ id, url: `${location.origin}/webhooks/shopify/${encodeURIComponent(id)}`, secret: once });
            await load();
          }}
        />
      )}
      {list === null ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="muted">No connections yet.</p>
      ) : (
        <table className="table" data-testid="connections">
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Kind</th>
              <th>Settings</th>
              <th>Secrets</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((c) => {
              const t = tests[c.id];
              return (
                <tr key={c.id} data-connection={c.id}>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>{c.name}</td>
                  <td>
                    {c.kind} · {providerSpec(c.kind, c.provider)?.label ?? c.provider}
                  </td>
                  <td className="small">
                    {Object.entries(c.config)
                      .filter(([, v]) => typeof v !== 'object')
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(', ') || '—'}
                  </td>
                  <td>{c.hasSecret ? <span className="pill ok">stored</span> : <span className="pill">none</span>}</td>
                  <td className="actions">
                    {canWrite && (
                      <button type="button" onClick={() => void test(c.id)} disabled={t === 'testing'}>
                        {t === 'testing' ? 'Testing…' : 'Test connection'}
                      </button>
                    )}
                    {canWrite && (
                      <button
                        type="button"
                        onClick={() => {
                          setShownOnce(null);
                          setEditing({ mode: 'edit', conn: c });
                        }}
                      >
                        Edit
                      </button>
                    )}
                    {canWrite && (
                      <button type="button" className="ghost danger" onClick={() => void remove(c)}>
                        Delete
                      </button>
                    )}
                    {t && t !== 'testing' && (
                      <div className={t.ok ? 'ok-text small' : 'error small'} data-testid={`test-${c.id}`}>
                        {t.ok ? '✓ ' : '✗ '}
                        {t.message}
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ConnectionForm({ editing, onCancel, onSaved }: { editing: Editing; onCancel(): void; onSaved(id: string, shownOnce?: string): void | Promise<void> }) {
  const existing = editing.mode === 'edit' ? editing.conn : null;
  const [specKey, setSpecKey] = useState(existing ? `${existing.kind}/${existing.provider}` : 'shopify/shopify');
  const [kind = '', provider = ''] = specKey.split('/'); // specKey is always `${kind}/${provider}`
  const spec: ProviderSpec = providerSpec(kind, provider) ?? { kind: kind as 'erp', provider, label: provider, fields: [] };
  const [id, setId] = useState(existing?.id ?? '');
  const [name, setName] = useState(existing?.name ?? '');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(existing?.config ?? {})
        .filter(([, v]) => typeof v === 'string')
        .map(([k, v]) => [k, String(v)]),
    ),
  );
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const gaps = missing(spec, values, !!existing);
    if (gaps.length) return setError(`Fill in: ${gaps.join(', ')}`);
    const { config, secrets } = splitValues(spec, values);
    let once: string | undefined;
    if (!existing && spec.kind === 'shopify' && !secrets.webhookSecret) secrets.webhookSecret = once = newWebhookSecret();
    else if (!existing && spec.kind === 'shopify') once = secrets.webhookSecret;
    try {
      if (existing) {
        // Config is replaced as a whole (keeping keys this form does not show); secrets are merged: empty means keep.
        await adminApi.updateConnection(existing.id, { name, config: { ...existing.config, ...config }, ...(Object.keys(secrets).length ? { secrets } : {}) });
        await onSaved(existing.id);
      } else {
        await adminApi.createConnection({
          id,
          kind: spec.kind,
          provider: spec.provider,
          name: name || id,
          config,
          ...(Object.keys(secrets).length ? { secrets } : {}),
        });
        await onSaved(id, once);
      }
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <form className="card connection-form" onSubmit={(e) => void submit(e)} data-testid="connection-form">
      <h3>{existing ? `Edit ${existing.id}` : 'New connection'}</h3>
      <div className="form-grid">
        <label>
          Kind
          <select value={specKey} onChange={(e) => setSpecKey(e.target.value)} disabled={!!existing} name="provider">
            {PROVIDERS.map((p) => (
              <option key={`${p.kind}/${p.provider}`} value={`${p.kind}/${p.provider}`}>
                {p.kind === 'shopify' ? 'Shopify' : 'ERP'}: {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Id <span className="muted small">used in flows; letters, digits, - _ . :</span>
          <input
            name="id"
            value={id}
            onChange={(e) => setId(e.target.value)}
            disabled={!!existing}
            required
            pattern="[A-Za-z0-9_.:\-]+"
            placeholder="main-shop"
          />
        </label>
        <label>
          Name
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Main Shopify store" />
        </label>
        {spec.fields.map((f) => (
          <label key={f.key}>
            <span>
              {f.label}
              {f.required && <span className="req"> *</span>}
              {f.secret && <span className="pill">secret</span>}
            </span>
            <input
              name={f.key}
              type={f.secret ? 'password' : 'text'}
              autoComplete={f.secret ? 'new-password' : 'off'}
              value={values[f.key] ?? ''}
              placeholder={f.secret && existing?.hasSecret ? 'stored; leave empty to keep it' : f.placeholder}
              onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
            />
            {f.help && <span className="help">{f.help}</span>}
          </label>
        ))}
      </div>
      {spec.note && <p className="muted small">{spec.note}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row end">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary">
          {existing ? 'Save' : 'Create connection'}
        </button>
      </div>
    </form>
  );
}
