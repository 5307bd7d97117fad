// Your own account: change your password (the current one first). Every other session of the account ends; this one
// goes on under the new session token the server returns.
import { type FormEvent, useState } from 'react';
import { api, tokenStore } from '../api/client.ts';
import { useSession } from '../app/session.ts';

export function AccountPage() {
  const user = useSession((s) => s.user);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ text: string; bad?: boolean } | null>(null);
  const mismatch = again !== '' && again !== next;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const r = await api.changePassword(current, next);
      tokenStore.set(r.token);
      setCurrent('');
      setNext('');
      setAgain('');
      setStatus({ text: 'Password changed. Your other sessions were signed out; this one goes on.' });
    } catch (err) {
      setStatus({ text: (err as Error).message, bad: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page" data-testid="account-page">
      <h2>Your account</h2>
      {user && (
        <p className="help">
          {user.name} · {user.email} · {user.role}
        </p>
      )}
      <form className="card form" onSubmit={(e) => void submit(e)} style={{ maxWidth: 420 }}>
        <h3>Change password</h3>
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          New password (at least 8 characters)
          <input type="password" autoComplete="new-password" minLength={8} value={next} onChange={(e) => setNext(e.target.value)} required />
        </label>
        <label>
          New password again
          <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
        </label>
        {mismatch && <p className="error">The two new passwords differ.</p>}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || !current || next.length < 8 || next !== again}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
        {status && (
          <p className={status.bad ? 'error' : 'ok-text'} role="status" data-testid="account-status">
            {status.text}
          </p>
        )}
      </form>
    </section>
  );
}
