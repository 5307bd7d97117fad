import { Link } from '../app/Link.tsx';
import { mayOpen } from '../app/access.ts';
import { useSession } from '../app/session.ts';

const TABS = [
  { id: 'connections', to: '/settings/connections', label: 'Connections' },
  { id: 'users', to: '/settings/users', label: 'Users and roles' },
  { id: 'tokens', to: '/settings/tokens', label: 'API tokens' },
  { id: 'assistant', to: '/settings/assistant', label: 'Assistant' },
] as const;

export function SettingsTabs({ active }: { active: (typeof TABS)[number]['id'] }) {
  const role = useSession((s) => s.user?.role);
  return (
    <nav className="subtabs" aria-label="Settings">
      {TABS.filter((t) => mayOpen(t.to, role)).map((t) => (
        <Link key={t.id} to={t.to} className={t.id === active ? 'subtab active' : 'subtab'}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
