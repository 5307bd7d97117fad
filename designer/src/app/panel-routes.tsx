// The pages of the sandbox panel, settings, audit, runbooks and monitors (kept apart from App.tsx's editor routes).
import type { ReactNode } from 'react';
import { SandboxPage } from '../sandbox/SandboxPage.tsx';
import { AccountPage } from '../settings/AccountPage.tsx';
import { ConnectionsPage } from '../settings/ConnectionsPage.tsx';
import { UsersPage } from '../settings/UsersPage.tsx';
import { TokensPage } from '../settings/TokensPage.tsx';
import { AssistantSettingsPage } from '../assist/AssistantSettingsPage.tsx';
import { AuditPage } from '../reports/AuditPage.tsx';
import { RunbookPage } from '../reports/RunbookPage.tsx';
import { MonitorsPage } from '../reports/MonitorsPage.tsx';
import { ApprovalsPage } from '../approvals/ApprovalsPage.tsx';
import { ChangeRequestPage } from '../approvals/ChangeRequestPage.tsx';
import { match } from './router.ts';

export function panelPage(path: string, query: URLSearchParams): ReactNode | null {
  if (path === '/sandbox') return <SandboxPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/settings' || path === '/settings/connections') return <ConnectionsPage />;
  if (path === '/settings/users') return <UsersPage />;
  if (path === '/settings/tokens') return <TokensPage />;
  if (path === '/settings/assistant') return <AssistantSettingsPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/monitors') return <MonitorsPage key={query.get('flow') ?? ''} flowId={query.get('flow') ?? undefined} />;
  if (path === '/approvals') return <ApprovalsPage />;
  const cr = match('/approvals/:id', path);
  if (cr) return <ChangeRequestPage key={cr.id} id={cr.id} />;
  const rb = match('/runbooks/:flowId', path);
  if (rb) return <RunbookPage key={rb.flowId} flowId={rb.flowId} />;
  return null;
}
