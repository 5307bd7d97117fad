// The pages a role may open, as links: where the role page and the not-found page send people on.
import type { Role } from '../api/types.ts';
import { Link } from './Link.tsx';
import { PAGE_RULES, type PageRule } from './access.ts';

export function PageLinks({ role, except }: { role: Role; except?: PageRule }) {
  const open = PAGE_RULES.filter((r) => r.roles.includes(role) && r !== except);
  return (
    <ul className="plain-links">
      <li>
        <Link to="/flows">Flows</Link>
        {role === 'client' ? ' (their mappings)' : ''}
      </li>
      <li>
        <Link to="/exceptions">Exceptions</Link>
      </li>
      <li>
        <Link to="/lookups">Lookup tables</Link>
      </li>
      {open.map((r) => (
        <li key={r.prefix}>
          <Link to={r.to ?? r.prefix}>{r.title}</Link>
        </li>
      ))}
    </ul>
  );
}
