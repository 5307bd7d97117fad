// What the UI offers each role, mirroring the server's permission table (server/auth/roles.ts: owner, consultant,
// client, operator, viewer). The server enforces; this only hides what would be refused. Older role names
// (admin, operations, finance) map onto the current ones so a server mid-migration still gets a sensible UI.
import type { Role } from '../api/types.ts';

export type Capability =
  | 'flows.write' | 'flows.edit' | 'runs.triage' | 'lookups.write' | 'finance.read' | 'exceptions.triage' | 'exceptions.retry';

const LEGACY: Record<string, string> = { admin: 'owner', operations: 'operator', finance: 'operator' };

const TABLE: Record<Capability, readonly string[]> = {
  'flows.write': ['owner', 'consultant'],
  'flows.edit': ['owner', 'consultant', 'client'],
  'runs.triage': ['owner', 'consultant', 'operator'],
  'lookups.write': ['owner', 'consultant', 'client'],
  'finance.read': ['owner', 'consultant', 'operator', 'viewer'],
  'exceptions.triage': ['owner', 'consultant', 'operator'],
  'exceptions.retry': ['owner', 'consultant', 'operator'],
};

export const normaliseRole = (role: Role | string | undefined): string | undefined => (role ? (LEGACY[role] ?? role) : undefined);

export function can(role: Role | string | undefined, cap: Capability): boolean {
  const r = normaliseRole(role);
  return !!r && TABLE[cap].includes(r);
}
