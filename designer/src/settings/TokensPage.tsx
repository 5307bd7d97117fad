// API tokens (owners only): for scripts and CI. A new token is shown once; only its hash is kept, so it can be
// revoked, never read back.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { adminApi, toDate, type TokenView, type UserView } from '../api/admin.ts';
import { SettingsTabs } from './SettingsTabs.tsx';

export function TokensPage() {
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [users, setUsers] = useState<UserView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [userId, setUserId] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  const load = useCallback(
    () =>
      adminApi.tokens().then(
        (r) => setTokens(r.tokens),
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => {
    void load();
    adminApi.users().then(
      (r) => setUsers(r.users),
      () => {},
    );
  }, [load]);
  const email = (id: string) => users.find((u) => u.id === id)?.email ?? id;

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const t = await adminApi.createToken(name.trim(), userId || undefined);
      setCreated({ name: t.name, token: t.token });
      setName('');
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section className="page" data-testid="tokens-page">
      <SettingsTabs active="tokens" />
      <h2>API tokens</h2>
      <p className="muted">
        A token acts as its user, with that user’s role, in <code>Authorization: Bearer …</code>.
      </p>
      <form className="row" onSubmit={(e) => void create(e)}>
        <input aria-label="Token name" placeholder="What it is for, e.g. CI deploy" value={name} onChange={(e) => setName(e.target.value)} required />
        <select aria-label="Token user" value={userId} onChange={(e) => setUserId(e.target.value)} style={{ width: 'auto' }}>
          <option value="">for me</option>
          {users
            .filter((u) => !u.disabled)
            .map((u) => (
              <option key={u.id} value={u.id}>
                for {u.email} ({u.role ?? 'not a member here'})
              </option>
            ))}
        </select>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      {created && (
        <div className="card shown-once" data-testid="new-token">
          <strong>Copy the token “{created.name}” now: it is shown only this once.</strong>
          <code className="secret-line">{created.token}</code>
          <button type="button" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {tokens === null ? (
        <p className="muted">Loading…</p>
      ) : tokens.length === 0 ? (
        <p className="muted">No tokens yet.</p>
      ) : (
        <table className="table" data-testid="tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>User</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-token={t.name}>
                <td>{t.name}</td>
                <td>{email(t.userId)}</td>
                <td>{toDate(t.createdAt)?.toLocaleString() ?? '—'}</td>
                <td>{toDate(t.lastUsedAt)?.toLocaleString() ?? 'never'}</td>
                <td>
                  <button
                    type="button"
                    className="ghost danger"
                    onClick={async () => {
                      if (!confirm(`Revoke "${t.name}"? Anything using it stops working at once.`)) return;
                      try {
                        await adminApi.revokeToken(t.id);
                        await load();
                      } catch (err) {
                        setError((err as Error).message);
                      }
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
