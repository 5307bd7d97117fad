import { describe, expect, it } from 'vitest';
import { can } from './permissions.ts';
import { ROLES, can as serverCan } from '../../../server/auth/roles.ts';

describe('designer permissions', () => {
  it('follows the server table for the current roles', () => {
    expect(can('client', 'lookups.write')).toBe(true);
    expect(can('client', 'flows.write')).toBe(false);
    expect(can('client', 'exceptions.triage')).toBe(false);
    expect(can('operator', 'runs.triage')).toBe(true);
    expect(can('viewer', 'runs.triage')).toBe(false);
    expect(can('viewer', 'finance.read')).toBe(true);
    expect(can('owner', 'flows.write')).toBe(true);
    expect(can(undefined, 'finance.read')).toBe(false);
  });

  it('offers the triage flow buttons (pause, schedule) to exactly the roles the server lets through', () => {
    for (const role of ROLES)
      for (const p of ['flows.pause', 'flows.schedule', 'assist.accept', 'exceptions.retry', 'runs.read'] as const)
        expect(can(role, p), `${role} ${p}`).toBe(serverCan(role, p));
  });
});
