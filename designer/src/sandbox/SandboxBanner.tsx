// In sandbox mode every page says so: the shop and ERP are the sandbox's, nothing reaches a real system.
import { useEffect, useState } from 'react';
import { Link } from '../app/Link.tsx';
import { mayOpen } from '../app/access.ts';
import type { Role } from '../api/types.ts';
import { workspaceStore } from '../api/client.ts';

let cached: Promise<boolean> | null = null;
/** /healthz says whether the workspace runs on the sandbox connections (it needs no sign-in). */
export const sandboxMode = () =>
  (cached ??= fetch('/healthz', { headers: workspaceStore.get() ? { 'x-ledgerline-workspace': workspaceStore.get()! } : {} })
    .then((r) => r.json() as Promise<{ sandboxMode?: boolean }>)
    .then(
      (h) => !!h.sandboxMode,
      () => false,
    ));

export function SandboxBanner({ role, path }: { role: Role; path: string }) {
  const [on, setOn] = useState(false);
  useEffect(() => {
    void sandboxMode().then(setOn);
  }, []);
  if (!on) return null;
  return (
    <div className="sandbox-banner" role="status" data-testid="sandbox-banner">
      <strong>Sandbox mode</strong>
      <span>The shop and the ERP here are Ledgerline’s sandbox: nothing reaches a real store or ledger.</span>
      {mayOpen('/sandbox', role) && path !== '/sandbox' && <Link to="/sandbox">Send test orders and payouts →</Link>}
    </div>
  );
}
