// Users and roles (owners only): invite someone with a role and a first password, change a role, disable or enable.
// With several workspaces the roles are those of the workspace the designer works in: the deployment owner sees every
// account with its workspaces; a workspace's owner manages its members only (WorkspaceMembers).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { adminApi, toDate, type UserView } from '../api/admin.ts';
import { api, workspaceStore, type WorkspaceInfo } from '../api/client.ts';
import type { Role } from '../api/types.ts';
import { useSession } from '../app/session.ts';
import { SettingsTabs } from './SettingsTabs.tsx';
import { ROLE_HELP } from './role-help.ts';
import { WorkspaceMembers } from './WorkspaceMembers.tsx';

const ROLES = Object.keys(ROLE_HELP) as Role[];

/** Where the designer works: its workspace (as the server picks it when none is chosen), and what the caller manages there. */
type Where = { workspace: WorkspaceInfo | null; several: boolean; accounts: boolean };

export function UsersPage() {
  const [where, setWhere] = useState<Where | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.workspaces().then(
      (r) => {
        const id = workspaceStore.get() ?? (r.workspaces.some((w) => w.id === 'default') ? 'default' : r.workspaces[0]?.id);
        const workspace = r.workspaces.find((w) => w.id === id) ?? null;
        setWhere({ workspace, several: r.owner && r.workspaces.length > 1, accounts: r.accounts });
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  return (
    <section className="page" data-testid="users-page">
      <SettingsTabs active="users" />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {where === null ? null : !where.accounts && where.workspace ? (
        <WorkspaceMembers workspace={where.workspace} />
      ) : (
        <Accounts workspace={where.several ? where.workspace : null} />
      )}
    </section>
  );
}

/** Every account (one workspace), or for the deployment owner every account with its workspaces and its role in this one. */
function Accounts({ workspace }: { workspace: WorkspaceInfo | null }) {
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
      setNotice(
        `${u.email} can sign in now as ${u.role}${workspace ? ` in ${workspace.name}` : ''}. Give them the first password by a channel other than email; they can change it later.`,
      );
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
    <>
      <h2>Users and roles</h2>
      {workspace && <p className="muted">Every account of the deployment. Roles are those in {workspace.name}; someone invited here is a member of it.</p>}
      <form className="card invite" onSubmit={(e) => void invite(e)} data-testid="invite-form">
        <h3>Invite someone{workspace ? ` to ${workspace.name}` : ''}</h3>
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
              {workspace && <th>Workspaces</th>}
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
                    value={u.role ?? ''}
                    disabled={u.id === me?.id}
                    onChange={(e) =>
                      void update(u, { role: e.target.value as Role }, `role${workspace ? ` in ${workspace.name}` : ''} changed to ${e.target.value}`)
                    }
                  >
                    {u.role === null && (
                      <option value="" disabled>
                        not a member
                      </option>
                    )}
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                {workspace && <td className="small">{u.workspaces?.map((w) => `${w.id} (${w.role})`).join(', ')}</td>}
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
    </>
  );
}
