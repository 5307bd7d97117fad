// The role page: what a signed-in person sees on a page their role cannot use, instead of its data or a raw 403.
import type { Role } from '../api/types.ts';
import type { PageRule } from './access.ts';
import { PageLinks } from './PageLinks.tsx';

const ROLE_WORDS: Record<Role, string> = {
  owner: 'owners (everything, users)',
  consultant: 'consultants (build and publish flows, connections)',
  client: 'client staff (mappings and lookup tables of existing flows)',
  operator: 'operations and finance (runs, exceptions, replay, payouts)',
  viewer: 'viewers (read only)',
};

export function Forbidden({ rule, role, message }: { rule?: PageRule; role: Role; message?: string }) {
  return (
    <section className="page forbidden" data-testid="forbidden">
      <div className="card">
        <h2>Your role can’t see {rule ? rule.title : 'this page'}</h2>
        <p>
          You are signed in as <strong>{role}</strong>. {rule?.why ?? message ?? 'The server refused this page for your role.'}
        </p>
        {rule && <p className="muted">It is open to {rule.roles.map((r) => ROLE_WORDS[r]).join('; ')}. Ask an owner if you need it.</p>}
        <p>What you can use:</p>
        <PageLinks role={role} except={rule} />
      </div>
    </section>
  );
}
