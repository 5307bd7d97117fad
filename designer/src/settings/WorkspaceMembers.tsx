// A workspace owner's "Users and roles" once the deployment has several workspaces: the members of their workspace
// (POST /api/workspaces/{id}/members). Accounts are the deployment's, so adding by email never says whether the person
// already had one elsewhere: the same form (with a first password) and the same answer either way.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { adminApi, toDate, type MemberView } from '../api/admin.ts';
import type { WorkspaceInfo } from '../api/client.ts';
import type { Role } from '../api/types.ts';
import { useSession } from '../app/session.ts';
import { ROLE_HELP } from './role-help.ts';

const ROLES = Object.keys(ROLE_HELP) as Role[];

export function WorkspaceMembers({ workspace }: { workspace: WorkspaceInfo }) {
  const me = useSession((s) => s.user);
  const [members, setMembers] = useState<MemberView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState({ email: '', name: '', role: 'client' as Role, password: '' });

  const load = useCallback(
    () =>
      adminApi.members(workspace.id).then(
        (r) => setMembers(r.members),
        (e: Error) => setError(e.message),
      ),
    [workspace.id],
  );
  useEffect(() => {
    void load();
  }, [load]);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setNotice(null);
    try {
      const email = form.email.trim();
      await adminApi.addMember(workspace.id, { email, role: form.role, password: form.password, ...(form.name.trim() ? { name: form.name.trim() } : {}) });
      setNotice(
        `${email} is a member of ${workspace.name} as ${form.role}. Someone new to Ledgerline signs in with the first password you set: give it to them by a channel other than email. Someone who already has an account keeps their own password and finds ${workspace.name} in their workspace menu.`,
      );
      setForm({ email: '', name: '', role: 'client', password: '' });
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function changeRole(m: MemberView, role: Role) {
    setError(null);
    try {
      await adminApi.addMember(workspace.id, { email: m.user.email, role });
      setNotice(`${m.user.email}: role in ${workspace.name} changed to ${role}.`);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <>
      <h2>Members of {workspace.name}</h2>
      <form className="card invite" onSubmit={(e) => void add(e)} data-testid="invite-form">
        <h3>Add someone to {workspace.name}</h3>
        <div className="form-grid">
          <label>
            Email
            <input name="email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </label>
          <label>
            Name <span className="muted small">for someone new</span>
            <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            Role in {workspace.name}
            <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}: {ROLE_HELP[r]}
                </option>
              ))}
            </select>
          </label>
          <label>
            First password <span className="muted small">at least 8 characters; used only by someone new to Ledgerline</span>
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
            Add
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
      {members === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="table" data-testid="users">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Status</th>
              <th>Member since</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.user.id} data-user={m.user.email} className={m.user.disabled ? 'muted' : ''}>
                <td>{m.user.email}</td>
                <td>{m.user.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${m.user.email}`}
                    value={m.role}
                    disabled={m.user.id === me?.id}
                    onChange={(e) => void changeRole(m, e.target.value as Role)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{m.user.disabled ? <span className="pill bad">disabled</span> : <span className="pill ok">active</span>}</td>
                <td>{toDate(m.since)?.toLocaleDateString() ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">Accounts are shared by every workspace of this deployment: passwords, and disabling someone, are for its owner.</p>
    </>
  );
}
