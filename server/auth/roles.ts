// Who may do what. Every API route names one permission; this table is the whole policy (and the role matrix test
// walks it).
export const ROLES = ['admin', 'consultant', 'client', 'finance', 'operations'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  'flows.read': ['admin', 'consultant', 'client', 'finance', 'operations'],
  /** Create, import, change structure, roll back. */
  'flows.write': ['admin', 'consultant'],
  /** Draft edits; a client's edits are limited to mapping and lookup configuration (see client-edits.ts). */
  'flows.edit': ['admin', 'consultant', 'client'],
  'flows.publish': ['admin', 'consultant', 'client'],
  'flows.activate': ['admin', 'consultant'],
  'flows.test': ['admin', 'consultant', 'client'],
  'runs.read': ['admin', 'consultant', 'client', 'finance', 'operations'],
  'runs.triage': ['admin', 'consultant', 'operations'],
  'events.read': ['admin', 'consultant', 'finance', 'operations'],
  'connections.read': ['admin', 'consultant', 'operations'],
  'connections.write': ['admin', 'consultant'],
  'catalog.read': ['admin', 'consultant', 'client', 'finance', 'operations'],
  'lookups.read': ['admin', 'consultant', 'client', 'finance', 'operations'],
  /** Row edits, CSV import, restoring a version: what client staff maintain without code. */
  'lookups.write': ['admin', 'consultant', 'client'],
  /** Creating and deleting tables. */
  'lookups.define': ['admin', 'consultant'],
  'mapping.preview': ['admin', 'consultant', 'client'],
  /** Payout reconciliation and the month-end report. */
  'finance.read': ['admin', 'consultant', 'finance'],
  /** The integration audit scans the catalogue, item master and lookups: a consultant's and operations' tool. */
  'integration.audit': ['admin', 'consultant', 'finance', 'operations'],
  'runbooks.read': ['admin', 'consultant', 'client', 'finance', 'operations'],
  'exceptions.read': ['admin', 'consultant', 'client', 'finance', 'operations'],
  /** Acknowledge, assign, resolve with a note. */
  'exceptions.triage': ['admin', 'consultant', 'finance', 'operations'],
  /** Retry replays runs: it changes the ERP, so not for finance or client staff. */
  'exceptions.retry': ['admin', 'consultant', 'operations'],
  'dashboard.read': ['admin', 'consultant', 'client', 'finance', 'operations'],
  'audit.read': ['admin', 'consultant', 'finance'],
  'users.manage': ['admin'],
  'me': ['admin', 'consultant', 'client', 'finance', 'operations'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: string, perm: Permission): boolean {
  return (PERMISSIONS[perm] as readonly string[]).includes(role);
}
