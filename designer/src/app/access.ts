// Which pages each role may open, mirroring the server's permissions (server/auth/roles.ts). A page a role cannot
// use shows the role page (Forbidden.tsx) instead of loading data, so typing /runs as a client explains rather than
// shows. The server still enforces every call.
import type { Role } from '../api/types.ts';

const NOT_CLIENT: readonly Role[] = ['owner', 'consultant', 'operator', 'viewer'];
const TRIAGE: readonly Role[] = ['owner', 'consultant', 'operator'];

export interface PageRule {
  prefix: string;
  title: string;
  roles: readonly Role[];
  why: string;
  to?: string;
}

/** First matching prefix wins; paths not listed are open to every signed-in role. */
export const PAGE_RULES: PageRule[] = [
  { prefix: '/runs', title: 'Runs', roles: NOT_CLIENT, why: 'Runs carry every order, customer and ERP document the flows handled.' },
  { prefix: '/dashboard', title: 'Dashboard', roles: NOT_CLIENT, why: 'The dashboard shows the health of every flow and the payout totals.' },
  { prefix: '/finance', to: '/finance/payouts', title: 'Payouts', roles: NOT_CLIENT, why: 'Payout reconciliation is for finance and operations.' },
  { prefix: '/sandbox', title: 'Sandbox', roles: TRIAGE, why: 'The sandbox panel sends test orders and payouts into the flows.' },
  { prefix: '/settings/connections', title: 'Connections', roles: TRIAGE, why: 'Connections hold the credentials of the shop and the ERP.' },
  { prefix: '/settings/users', title: 'Users and roles', roles: ['owner'], why: 'Only an owner invites people and changes roles.' },
  {
    prefix: '/settings/assistant',
    title: 'Assistant',
    roles: ['owner', 'consultant'],
    why: "The assistant's language model decides where masked order data may be sent; owners and consultants set it up, only an owner turns it on.",
  },
  { prefix: '/settings/tokens', title: 'API tokens', roles: ['owner'], why: 'API tokens act for a user without a password; only an owner issues them.' },
  {
    prefix: '/approvals',
    title: 'Approvals',
    roles: ['owner', 'consultant'],
    why: 'Consultants and owners approve or reject the changes client staff ask to publish; your own requests show on the flow.',
  },
  { prefix: '/audit', title: 'Audit', roles: NOT_CLIENT, why: 'The audit reads the whole catalogue, item master and change log.' },
  { prefix: '/monitors', title: 'Monitors', roles: NOT_CLIENT, why: 'Monitors watch runs, stock and payments across all flows.' },
];

export function ruleFor(path: string): PageRule | undefined {
  return PAGE_RULES.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
}

/** The rule that refuses this role this path, or undefined when the page is open to it. */
export function refusal(path: string, role: Role): PageRule | undefined {
  const rule = ruleFor(path);
  return rule && !rule.roles.includes(role) ? rule : undefined;
}

export const mayOpen = (path: string, role: Role | undefined) => !!role && !refusal(path, role);
