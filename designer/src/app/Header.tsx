import { useEffect, useState } from 'react';
import { CHANGE_REQUESTS_CHANGED, changeRequestsApi } from '../api/change-requests.ts';
import { canSeeFinance, useSession } from './session.ts';
import { Link } from './Link.tsx';
import { navigate } from './router.ts';
import { mayOpen } from './access.ts';
import { WorkspaceSwitcher } from './WorkspaceSwitcher.tsx';

export function Header({ path }: { path: string }) {
  const user = useSession((s) => s.user);
  const logout = useSession((s) => s.logout);
  const reviews = mayOpen('/approvals', user?.role);
  const [pending, setPending] = useState(0);
  // Re-counted on each page change: a consultant sees new requests as they move around the app.
  // biome-ignore lint/correctness/useExhaustiveDependencies: path is the trigger (a page change), not read inside
  useEffect(() => {
    if (!reviews) return;
    let cancelled = false;
    const count = () =>
      void changeRequestsApi.list({ status: 'pending' }).then(
        (r) => !cancelled && setPending(r.changeRequests.length),
        () => {},
      );
    count();
    window.addEventListener(CHANGE_REQUESTS_CHANGED, count);
    return () => {
      cancelled = true;
      window.removeEventListener(CHANGE_REQUESTS_CHANGED, count);
    };
  }, [reviews, path]);
  const tab = (to: string, label: string) => (
    <Link to={to} className={path.startsWith(to) ? 'tab active' : 'tab'}>
      {label}
    </Link>
  );
  return (
    <header className="app-header">
      <span className="brand">Ledgerline</span>
      {user && <WorkspaceSwitcher />}
      <nav>
        {user?.role !== 'client' && tab('/dashboard', 'Dashboard')}
        {tab('/flows', 'Flows')}
        {user?.role !== 'client' && tab('/runs', 'Runs')}
        {tab('/exceptions', 'Exceptions')}
        {tab('/lookups', 'Lookup tables')}
        {canSeeFinance(user?.role) && tab('/finance/payouts', 'Payouts')}
        {mayOpen('/monitors', user?.role) && tab('/monitors', 'Monitors')}
        {reviews && (
          <Link
            to="/approvals"
            className={path.startsWith('/approvals') ? 'tab active' : 'tab'}
            data-testid="approvals-tab"
            aria-label={pending > 0 ? `Approvals, ${pending} waiting` : undefined}
          >
            Approvals{pending > 0 && <span className="count">{pending}</span>}
          </Link>
        )}
        {mayOpen('/audit', user?.role) && tab('/audit', 'Audit')}
        {mayOpen('/sandbox', user?.role) && tab('/sandbox', 'Sandbox')}
        {mayOpen('/settings/connections', user?.role) && (
          <Link to="/settings/connections" className={path.startsWith('/settings') ? 'tab active' : 'tab'}>
            Settings
          </Link>
        )}
      </nav>
      <span className="spacer" />
      {user && (
        <Link to="/account" className="who" data-testid="who" title="Your account: change your password">
          <span className="name">{user.name} · </span>
          <span className="role">{user.role}</span>
        </Link>
      )}
      <button
        type="button"
        className="ghost"
        onClick={async () => {
          await logout();
          navigate('/login');
        }}
      >
        Sign out
      </button>
    </header>
  );
}
