// Assigning an exception names a person who can act on it: the real server, its users and roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing.ts';

let t: TestServer;
beforeAll(async () => {
  t = await testServer({ withRoles: true });
});
afterAll(() => t.close());

const raise = async () => (await t.server.deps.exceptions.raise({ type: 'failed-run', key: `assign-${Math.random()}`, title: 'a failed run' })).id;

describe('exception assignees', () => {
  it('lists the active users who can triage, and refuses an assignee who is no one here (a typo handed work to nobody)', async () => {
    const list = await t.json('GET', '/api/exceptions/assignees', { token: t.tokens.operator });
    expect(list.status).toBe(200);
    const emails = list.body.assignees.map((a: { email: string }) => a.email);
    expect(emails).toEqual(expect.arrayContaining(['operator@example.com', 'consultant@example.com']));
    // Client staff and viewers cannot act on an exception: not offered.
    expect(emails).not.toContain('viewer@example.com');
    expect(emails).not.toContain('client@example.com');

    const id = await raise();
    const typo = await t.json('POST', `/api/exceptions/${id}/assign`, { token: t.tokens.operator, body: { assignee: 'operator@example.con' } });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toMatch(/^no one here called "operator@example.con" can take exceptions: assign to .*operator@example\.com/);
    expect(typo.body.error.problems).toEqual([expect.objectContaining({ where: 'body', path: '$.assignee' })]);
    expect((await t.server.deps.exceptions.get(id)).assignee).toBeNull();

    const bulk = await t.json('POST', '/api/exceptions/bulk', {
      token: t.tokens.operator,
      body: { ids: [id], action: 'assign', assignee: 'viewer@example.com' },
    });
    expect(bulk.status).toBe(400);

    // Any case of a real address; unassigning and handing to a team need no person.
    const ok = await t.json('POST', `/api/exceptions/${id}/assign`, { token: t.tokens.operator, body: { assignee: 'Operator@Example.com' } });
    expect(ok.status).toBe(200);
    expect(ok.body.assignee).toBe('operator@example.com');
    expect((await t.json('POST', `/api/exceptions/${id}/assign`, { token: t.tokens.operator, body: { assignee: null, owner: 'finance' } })).status).toBe(200);
  });
});
