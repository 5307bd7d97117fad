// What an address the designer has no page for shows (a mistyped or outdated link), instead of another page.
import type { Role } from '../api/types.ts';
import { PageLinks } from './PageLinks.tsx';

export function NotFound({ path, role }: { path: string; role: Role }) {
  return (
    <section className="page not-found" data-testid="not-found">
      <div className="card">
        <h2>No page at {path}</h2>
        <p>The address may be mistyped, or come from an older link. The pages you can open:</p>
        <PageLinks role={role} />
      </div>
    </section>
  );
}
