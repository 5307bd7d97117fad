import { useEffect } from 'react';
import { LoginPage } from '../auth/LoginPage.tsx';
import { EditorPage } from '../canvas/EditorPage.tsx';
import { MapperPage } from '../mapper/MapperPage.tsx';
import { RunDetailPage } from '../runs/RunDetailPage.tsx';
import { RunsPage } from '../runs/RunsPage.tsx';
import { LookupEditorPage } from '../lookups/LookupEditorPage.tsx';
import { LookupListPage } from '../lookups/LookupListPage.tsx';
import { ExceptionsPage } from '../exceptions/ExceptionsPage.tsx';
import { DashboardPage } from '../dashboard/DashboardPage.tsx';
import { PayoutsPage } from '../finance/PayoutsPage.tsx';
import { FlowListPage } from './FlowListPage.tsx';
import { Header } from './Header.tsx';
import { match, navigate, useLocation } from './router.ts';
import { canSeeCanvas, useSession } from './session.ts';
import { refusal } from './access.ts';
import { Forbidden } from './Forbidden.tsx';
import { NotFound } from './NotFound.tsx';
import { panelPage } from './panel-routes.tsx';
import { SandboxBanner } from '../sandbox/SandboxBanner.tsx';

export function App() {
  const { path, query } = useLocation();
  const { user, checked, restore } = useSession();

  useEffect(() => {
    if (!checked) void restore();
  }, [checked, restore]);

  useEffect(() => {
    if (checked && !user && path !== '/login') navigate('/login', { replace: true });
    if (checked && user && (path === '/' || path === '/login')) navigate('/flows', { replace: true });
  }, [checked, user, path]);

  if (!checked) return <div className="loading">Loading…</div>;
  if (!user) return <LoginPage />;

  let page;
  let params; // typed by each match() below, from its pattern
  const refused = refusal(path, user.role);
  const panel = refused ? null : panelPage(path, query);
  if (refused) page = <Forbidden rule={refused} role={user.role} />;
  else if (panel) page = panel;
  else if ((params = match('/flows/:id/mapper', path)))
    page = <MapperPage key={`${params.id}/${query.get('node') ?? ''}`} flowId={params.id} nodeId={query.get('node') ?? undefined} />;
  else if ((params = match('/flows/:id', path)))
    page = canSeeCanvas(user.role) ? <EditorPage key={params.id} flowId={params.id} /> : <MapperPage flowId={params.id} />;
  else if ((params = match('/runs/:id', path))) page = <RunDetailPage runId={params.id} />;
  else if (path === '/runs') page = <RunsPage />;
  else if ((params = match('/lookups/:scope/:name', path)))
    page = <LookupEditorPage key={`${params.scope}/${params.name}`} scope={params.scope} name={params.name} />;
  else if (path === '/lookups') page = <LookupListPage flowId={query.get('flow') ?? undefined} />;
  else if (path === '/exceptions')
    page = (
      <ExceptionsPage
        key={`${query.get('type') ?? ''}|${query.get('payout') ?? ''}`}
        type={query.get('type') ?? undefined}
        payout={query.get('payout') ?? undefined}
      />
    );
  // Alerts link one exception (its id in the path): the inbox opens on it, whatever its state.
  else if ((params = match('/exceptions/:id', path))) page = <ExceptionsPage key={params.id} focus={params.id} />;
  else if (path === '/dashboard') page = <DashboardPage />;
  else if (path === '/finance/payouts') page = <PayoutsPage month={query.get('month') ?? undefined} />;
  // `/` and `/login` show the flows while the effect above moves the address there.
  else if (path === '/flows' || path === '/' || path === '/login') page = <FlowListPage />;
  else page = <NotFound path={path} role={user.role} />;

  return (
    <div className="app">
      <Header path={path} />
      <SandboxBanner role={user.role} path={path} />
      <main className="app-main">{page}</main>
    </div>
  );
}
