// Who may do what. Every API route names one permission; this table is the whole policy (and the role matrix test
// walks it). The roles are issue 3's: owner (everything, users), consultant (build and publish flows, connections),
// client (the merchant's staff: mappings and lookup tables of existing flows, and publishing those edits),
// operator (runs, exceptions, replay: operations and finance staff) and viewer (read only).
export const ROLES = ['owner', 'consultant', 'client', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const ALL = ROLES;
const BUILDERS = ['owner', 'consultant'] as const;
const EDITORS = ['owner', 'consultant', 'client'] as const;
const TRIAGE = ['owner', 'consultant', 'operator'] as const;
const READERS_NOT_CLIENT = ['owner', 'consultant', 'operator', 'viewer'] as const;

export const PERMISSIONS = {
  'flows.read': ALL,
  /** Create, import, change structure, roll back. */
  'flows.write': BUILDERS,
  /** Draft edits; a client's edits are limited to mapping and lookup configuration (see client-edits.ts). */
  'flows.edit': EDITORS,
  /** A client's publish on a flow whose policy asks for approval only makes a change request (see flows.approve). */
  'flows.publish': EDITORS,
  /** Approving or rejecting a client's change request, and setting whether a flow's client changes need approval. */
  'flows.approve': BUILDERS,
  'flows.activate': BUILDERS,
  'flows.test': EDITORS,
  /**
   * Pausing a scheduled flow and resuming it on the same version: the brake operations pull when a flow is
   * throttled. Resuming is limited to a flow that was paused (not one a builder deactivated); choosing the version
   * that runs stays `flows.activate`.
   */
  'flows.pause': TRIAGE,
  /**
   * Changing how often a scheduled flow fires (e.g. the stock push after drift or throttling): published as a new
   * version of the running one, never firing more often than every 5 minutes.
   */
  'flows.schedule': TRIAGE,
  /** Runs carry every order, customer and ERP document the flows handled: not the merchant's client staff. */
  'runs.read': READERS_NOT_CLIENT,
  /**
   * How given runs ended (status, failure reason): what the lookup editor shows client staff after their fix retried
   * the runs waiting on it. Run ids are random, so this reads only runs the caller was told about.
   */
  'runs.outcomes': ALL,
  'runs.triage': TRIAGE,
  'events.read': READERS_NOT_CLIENT,
  'connections.read': TRIAGE,
  'connections.write': BUILDERS,
  'catalog.read': ALL,
  'lookups.read': ALL,
  /** Row edits, CSV import, restoring a version: what client staff maintain without code. */
  'lookups.write': EDITORS,
  /** Creating and deleting tables. */
  'lookups.define': BUILDERS,
  'mapping.preview': EDITORS,
  /** Payout reconciliation and the month-end report. */
  'finance.read': READERS_NOT_CLIENT,
  /** The integration audit scans the catalogue, item master and lookups. */
  'integration.audit': READERS_NOT_CLIENT,
  'runbooks.read': ALL,
  /** Monitors watch runs, stock and payments across all flows. */
  'monitors.read': READERS_NOT_CLIENT,
  'exceptions.read': ALL,
  /** Acknowledge, assign, resolve with a note. */
  'exceptions.triage': TRIAGE,
  /** Retry replays runs: it changes the ERP. */
  'exceptions.retry': TRIAGE,
  /** Every flow's health and the payout totals. */
  'dashboard.read': READERS_NOT_CLIENT,
  'audit.read': READERS_NOT_CLIENT,
  'users.manage': ['owner'],
  /** The sandbox control panel: send scenario events to the sandbox shop and ERP (newcomers, operations, finance). */
  'sandbox.use': TRIAGE,
  /** The assistant's language-model settings (turning the model on is further limited to owners). */
  'assist.settings': BUILDERS,
  /**
   * Accepting a lookup row the assistant proposed for an exception: the fix an operator triaging the inbox applies
   * (it also retries the waiting runs), and what client staff maintaining the tables do from the lookup editor.
   */
  'assist.accept': ['owner', 'consultant', 'client', 'operator'],
  me: ALL,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: string, perm: Permission): boolean {
  return (PERMISSIONS[perm] as readonly string[]).includes(role);
}
