import { canSeeFinance, useSession } from './session.ts';
import { Link } from './Link.tsx';
import { navigate } from './router.ts';
import { mayOpen } from './access.ts';

export function Header({ path }: { path: string }) {
  const user = useSession((s) => s.user);
  const logout = useSession((s) => s.logout);
  const tab = (to: string, label: string) => (
    <Link to={to} className={path.startsWith(to) ? 'tab active' : 'tab'}>
      {label}
    </Link>
  );
  return (
    <header className="app-header">
      <span className="brand">Ledgerline</span>
      <nav>
        {user?.role !== 'client' && tab('/dashboard', 'Dashboard')}
        {tab('/flows', 'Flows')}
        {user?.role !== 'client' && tab('/runs', 'Runs')}
        {tab('/exceptions', 'Exceptions')}
        {tab('/lookups', 'Lookup tables')}
        {canSeeFinance(user?.role) && tab('/finance/payouts', 'Payouts')}
        {mayOpen('/monitors', user?.role) && tab('/monitors', 'Monitors')}
        {mayOpen('/audit', user?.role) && tab('/audit', 'Audit')}
        {mayOpen('/sandbox', user?.role) && tab('/sandbox', 'Sandbox')}
        {mayOpen('/settings/connections', user?.role) && (
          <Link to="/settings/connections" className={path.startsWith('/settings') ? 'tab active' : 'tab'}>Settings</Link>
        )}
      </nav>
      <span className="spacer" />
      {user && (
        <span className="who" data-testid="who">
          <span className="name">{user.name} · </span><span className="role">{user.role}</span>
        </span>
      )}
      <button
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
