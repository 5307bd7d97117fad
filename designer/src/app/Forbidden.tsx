// The role page: what a signed-in person sees on a page their role cannot use, instead of its data or a raw 403.
import type { Role } from '../api/types.ts';
import { Link } from './Link.tsx';
import { PAGE_RULES, type PageRule } from './access.ts';

const ROLE_WORDS: Record<Role, string> = {
  owner: 'owners (everything, users)',
  consultant: 'consultants (build and publish flows, connections)',
  client: 'client staff (mappings and lookup tables of existing flows)',
  operator: 'operations and finance (runs, exceptions, replay, payouts)',
  viewer: 'viewers (read only)',
};

export function Forbidden({ rule, role, message }: { rule?: PageRule; role: Role; message?: string }) {
  const open = PAGE_RULES.filter((r) => r.roles.includes(role) && r !== rule);
  return (
    <section className="page forbidden" data-testid="forbidden">
      <div className="card">
        <h2>Your role can’t see {rule ? rule.title : 'this page'}</h2>
        <p>
          You are signed in as <strong>{role}</strong>. {rule?.why ?? message ?? 'The server refused this page for your role.'}
        </p>
        {rule && <p className="muted">It is open to {rule.roles.map((r) => ROLE_WORDS[r]).join('; ')}. Ask an owner if you need it.</p>}
        <p>What you can use:</p>
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
      </div>
    </section>
  );
}
