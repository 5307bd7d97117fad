// Users and roles (owners only): invite someone with a role and a first password, change a role, disable or enable.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { adminApi, toDate, type UserView } from '../api/admin.ts';
import type { Role } from '../api/types.ts';
import { useSession } from '../app/session.ts';
import { SettingsTabs } from './SettingsTabs.tsx';

export const ROLE_HELP: Record<Role, string> = {
  owner: 'everything, including users and tokens',
  consultant: 'builds and publishes flows, manages connections',
  client: 'the merchant’s staff: mappings and lookup tables of existing flows',
  operator: 'operations and finance: runs, exceptions, replay, payouts',
  viewer: 'read only',
};
const ROLES = Object.keys(ROLE_HELP) as Role[];

export function UsersPage() {
  const me = useSession((s) => s.user);
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState({ email: '', name: '', role: 'client' as Role, password: '' });

  const load = useCallback(
    () =>
      adminApi.users().then(
        (r) => setUsers(r.users),
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);

  async function invite(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const u = await adminApi.createUser({
        email: form.email.trim(),
        role: form.role,
        password: form.password,
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
      });
      setNotice(`${u.email} can sign in now as ${u.role}. Give them the first password by a channel other than email; they can change it later.`);
      setForm({ email: '', name: '', role: 'client', password: '' });
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function update(u: UserView, patch: { role?: Role; disabled?: boolean }, what: string) {
    setError(null);
    try {
      await adminApi.updateUser(u.id, patch);
      setNotice(`${u.email}: ${what}.`);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section className="page" data-testid="users-page">
      <SettingsTabs active="users" />
      <h2>Users and roles</h2>
      <form className="card invite" onSubmit={(e) => void invite(e)} data-testid="invite-form">
        <h3>Invite someone</h3>
        <div className="form-grid">
          <label>
            Email
            <input name="email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </label>
          <label>
            Name
            <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            Role
            <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}: {ROLE_HELP[r]}
                </option>
              ))}
            </select>
          </label>
          <label>
            First password <span className="muted small">at least 8 characters</span>
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              minLength={8}
              required
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          </label>
        </div>
        <div className="row end">
          <button type="submit" className="primary">
            Invite
          </button>
        </div>
      </form>
      {notice && (
        <p className="notice-inline ok" role="status" data-testid="users-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {users === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="table" data-testid="users">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Status</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-user={u.email} className={u.disabled ? 'muted' : ''}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={u.id === me?.id}
                    onChange={(e) => void update(u, { role: e.target.value as Role }, `role changed to ${e.target.value}`)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{u.disabled ? <span className="pill bad">disabled</span> : <span className="pill ok">active</span>}</td>
                <td>{toDate(u.createdAt)?.toLocaleDateString() ?? '—'}</td>
                <td>
                  {u.id === me?.id ? (
                    <span className="muted small">you</span>
                  ) : (
                    <button
                      type="button"
                      onClick={() => void update(u, { disabled: !u.disabled }, u.disabled ? 'enabled' : 'disabled: their sessions and tokens stop working')}
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
