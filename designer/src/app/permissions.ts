// What the UI offers each role, mirroring the server's permission table (server/auth/roles.ts: owner, consultant,
// client, operator, viewer). The server enforces; this only hides what would be refused.
import type { Role } from '../api/types.ts';

export type Capability =
  | 'flows.write'
  | 'flows.edit'
  | 'flows.approve'
  | 'runs.read'
  | 'runs.triage'
  | 'lookups.write'
  | 'finance.read'
  | 'exceptions.triage'
  | 'exceptions.retry'
  | 'assist.accept'
  | 'assist.settings'
  | 'flows.pause'
  | 'flows.schedule';

const TABLE: Record<Capability, readonly string[]> = {
  'flows.write': ['owner', 'consultant'],
  'flows.edit': ['owner', 'consultant', 'client'],
  'flows.approve': ['owner', 'consultant'],
  'runs.read': ['owner', 'consultant', 'operator', 'viewer'],
  'runs.triage': ['owner', 'consultant', 'operator'],
  'lookups.write': ['owner', 'consultant', 'client'],
  'finance.read': ['owner', 'consultant', 'operator', 'viewer'],
  'exceptions.triage': ['owner', 'consultant', 'operator'],
  'exceptions.retry': ['owner', 'consultant', 'operator'],
  'assist.accept': ['owner', 'consultant', 'client', 'operator'],
  'assist.settings': ['owner', 'consultant'],
  'flows.pause': ['owner', 'consultant', 'operator'],
  'flows.schedule': ['owner', 'consultant', 'operator'],
};

export function can(role: Role | undefined, cap: Capability): boolean {
  return !!role && TABLE[cap].includes(role);
}
