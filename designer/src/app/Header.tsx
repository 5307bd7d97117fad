import { canSeeFinance, useSession } from './session.ts';
import { Link } from './Link.tsx';
import { navigate } from './router.ts';

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
      </nav>
      <span className="spacer" />
      {user && (
        <span className="who" data-testid="who">
          {user.name} · <span className="role">{user.role}</span>
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
