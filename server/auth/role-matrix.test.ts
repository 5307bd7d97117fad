// Walks every API route for every role: each allowed cell must get past the role check, each forbidden cell must
// be refused with 403 (and anonymous callers with 401). The expected matrix is written out here, independently of
// auth/roles.ts, and must cover every route the OpenAPI document lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';
import { ROLES, type Role } from './roles.ts';

const ALL: Role[] = [...ROLES];
const A: Role[] = ['owner'];
const AC: Role[] = ['owner', 'consultant'];
const ACC: Role[] = ['owner', 'consultant', 'client'];
const ACO: Role[] = ['owner', 'consultant', 'operator'];
/** Everyone but the merchant's client staff. */
const NC: Role[] = ['owner', 'consultant', 'operator', 'viewer'];

let t: TestServer;
let runId = '';
let eventId = '';
let tokenId = '';
let userId = '';
let exceptionId = '';
let changeRequestId = '';

type Row = [method: string, template: string, path: () => string, allowed: Role[], body?: () => unknown];

const rows: Row[] = [
  ['POST', '/api/auth/logout', () => '/api/auth/logout', ALL],
  ['GET', '/api/me', () => '/api/me', ALL],
  ['POST', '/api/auth/password', () => '/api/auth/password', ALL, () => ({ currentPassword: 'not it', newPassword: 'short' })],
  ['GET', '/api/flows', () => '/api/flows', ALL],
  ['POST', '/api/flows', () => '/api/flows', AC, () => flow(`new-${Math.random().toString(36).slice(2)}`, [{ id: 't', type: 'trigger.manual' }], [])],
  ['POST', '/api/flows/import', () => '/api/flows/import', AC, () => flow('imported', [{ id: 't', type: 'trigger.manual' }], [])],
  ['GET', '/api/flows/{id}', () => '/api/flows/f', ALL],
  ['PUT', '/api/flows/{id}/draft', () => '/api/flows/f/draft', ACC, () => t.server.runtime.flows.draft('f')],
  ['POST', '/api/flows/{id}/validate', () => '/api/flows/f/validate', ALL],
  ['POST', '/api/flows/{id}/publish', () => '/api/flows/f/publish', ACC, () => ({ message: 'm' })],
  ['GET', '/api/flows/{id}/versions', () => '/api/flows/f/versions', ALL],
  ['GET', '/api/flows/{id}/versions/{v}', () => '/api/flows/f/versions/1', ALL],
  ['GET', '/api/flows/{id}/diff', () => '/api/flows/f/diff?from=1&to=1', ALL],
  ['POST', '/api/flows/{id}/rollback', () => '/api/flows/f/rollback', AC, () => ({ version: 1 })],
  ['POST', '/api/flows/{id}/activate', () => '/api/flows/f/activate', AC, () => ({})],
  ['POST', '/api/flows/{id}/deactivate', () => '/api/flows/f/deactivate', AC],
  ['GET', '/api/flows/{id}/export', () => '/api/flows/f/export', ALL],
  ['POST', '/api/flows/{id}/test', () => '/api/flows/f/test', ACC, () => ({ event: { value: 1 } })],
  ['POST', '/api/flows/{id}/dry-run', () => '/api/flows/f/dry-run', ACC, () => ({ limit: 5 })],
  ['GET', '/api/flows/{id}/approval-policy', () => '/api/flows/f/approval-policy', ALL],
  ['PUT', '/api/flows/{id}/approval-policy', () => '/api/flows/f/approval-policy', AC, () => ({ clientChangesNeedApproval: false })],
  ['GET', '/api/change-requests', () => '/api/change-requests', ALL],
  ['GET', '/api/change-requests/{id}', () => `/api/change-requests/${changeRequestId}`, ALL],
  // A request of a flow nobody edits: approving it publishes a version of that flow only.
  ['POST', '/api/change-requests/{id}/approve', () => `/api/change-requests/${changeRequestId}/approve`, AC],
  // The fixture's request was asked for by the client role's user: they may take it back, as builders may.
  ['POST', '/api/change-requests/{id}/withdraw', () => `/api/change-requests/${changeRequestId}/withdraw`, ACC],
  ['POST', '/api/change-requests/{id}/reject', () => `/api/change-requests/${changeRequestId}/reject`, AC, () => ({ reason: 'not now' })],
  ['POST', '/api/flows/{id}/webhook-secret', () => '/api/flows/f/webhook-secret', AC],
  ['GET', '/api/runs', () => '/api/runs', NC],
  ['GET', '/api/runs/{id}', () => `/api/runs/${runId}`, NC],
  ['POST', '/api/runs/{id}/replay/preview', () => `/api/runs/${runId}/replay/preview`, NC, () => ({})],
  ['POST', '/api/runs/{id}/replay', () => `/api/runs/${runId}/replay`, ACO, () => ({})],
  ['POST', '/api/runs/outcomes', () => '/api/runs/outcomes', ALL, () => ({ runIds: [runId] })],
  ['POST', '/api/runs/{id}/cancel', () => `/api/runs/${runId}/cancel`, ACO],
  ['GET', '/api/connections', () => '/api/connections', ACO],
  [
    'POST',
    '/api/connections',
    () => '/api/connections',
    AC,
    () => ({ id: `c-${Math.random().toString(36).slice(2)}`, kind: 'erp', provider: 'sandbox', name: 'x', config: {} }),
  ],
  ['GET', '/api/connections/{id}', () => '/api/connections/erp1', ACO],
  ['PUT', '/api/connections/{id}', () => '/api/connections/erp1', AC, () => ({ name: 'renamed' })],
  ['DELETE', '/api/connections/{id}', () => '/api/connections/doomed', AC],
  ['POST', '/api/connections/{id}/test', () => '/api/connections/erp1/test', AC],
  ['GET', '/api/catalog', () => '/api/catalog', ALL],
  ['GET', '/api/templates', () => '/api/templates', AC],
  ['GET', '/api/users', () => '/api/users', A],
  [
    'POST',
    '/api/users',
    () => '/api/users',
    A,
    () => ({ email: `u${Math.random().toString(36).slice(2)}@example.com`, role: 'viewer', password: 'password-123' }),
  ],
  ['PUT', '/api/users/{id}', () => `/api/users/${userId}`, A, () => ({ name: 'n' })],
  ['GET', '/api/tokens', () => '/api/tokens', A],
  ['POST', '/api/tokens', () => '/api/tokens', A, () => ({ name: 'ci' })],
  ['DELETE', '/api/tokens/{id}', () => `/api/tokens/${tokenId}`, A],
  ['GET', '/api/audit', () => '/api/audit', NC],
  ['GET', '/api/events', () => '/api/events', NC],
  ['GET', '/api/events/{id}', () => `/api/events/${eventId}`, NC],
  ['GET', '/api/compliance', () => '/api/compliance', NC],
  ['POST', '/api/mapping/preview', () => '/api/mapping/preview', ACC, () => ({ config: { fields: [] }, sample: {} })],
  ['GET', '/api/lookups', () => '/api/lookups', ALL],
  ['POST', '/api/lookups', () => '/api/lookups', AC, () => ({})],
  ['GET', '/api/lookups/{scope}/{name}', () => '/api/lookups/shared/tax', ALL],
  ['PATCH', '/api/lookups/{scope}/{name}', () => '/api/lookups/shared/tax', ACC, () => ({ title: 'Tax codes' })],
  ['DELETE', '/api/lookups/{scope}/{name}', () => '/api/lookups/shared/doomed', AC],
  ['PUT', '/api/lookups/{scope}/{name}/rows', () => '/api/lookups/shared/tax/rows', ACC, () => ({ rows: [{ key: 'a', code: 'A' }] })],
  ['PATCH', '/api/lookups/{scope}/{name}/rows', () => '/api/lookups/shared/tax/rows', ACC, () => ({ rows: [{ key: 'b', code: 'B' }] })],
  ['POST', '/api/lookups/{scope}/{name}/rows/delete', () => '/api/lookups/shared/tax/rows/delete', ACC, () => ({ keys: [{ key: 'b' }] })],
  ['GET', '/api/lookups/{scope}/{name}/versions', () => '/api/lookups/shared/tax/versions', ALL],
  ['GET', '/api/lookups/{scope}/{name}/erp-references', () => '/api/lookups/shared/tax/erp-references', ALL],
  ['POST', '/api/lookups/{scope}/{name}/versions/{version}/restore', () => '/api/lookups/shared/tax/versions/1/restore', ACC, () => ({})],
  ['GET', '/api/lookups/{scope}/{name}/csv', () => '/api/lookups/shared/tax/csv', ALL],
  ['PUT', '/api/lookups/{scope}/{name}/csv', () => '/api/lookups/shared/tax/csv', ACC, () => ({})],
  ['GET', '/api/finance/payouts', () => '/api/finance/payouts', NC],
  ['GET', '/api/finance/month-end', () => '/api/finance/month-end?month=2026-11', NC],
  ['GET', '/api/finance/trial-balance', () => '/api/finance/trial-balance?month=2026-11', NC],
  ['GET', '/api/finance/payout-lines', () => '/api/finance/payout-lines?month=2026-11', NC],
  ['GET', '/api/integration-audit', () => '/api/integration-audit', NC],
  ['GET', '/api/runbooks/{flowId}', () => '/api/runbooks/f', ALL],
  ['GET', '/api/exceptions', () => '/api/exceptions', ALL],
  ['GET', '/api/exceptions/assignees', () => '/api/exceptions/assignees', ACO],
  ['GET', '/api/exceptions/{id}', () => `/api/exceptions/${exceptionId}`, ALL],
  ['POST', '/api/exceptions/{id}/acknowledge', () => `/api/exceptions/${exceptionId}/acknowledge`, ACO, () => ({})],
  ['POST', '/api/exceptions/{id}/assign', () => `/api/exceptions/${exceptionId}/assign`, ACO, () => ({ owner: 'finance' })],
  ['POST', '/api/exceptions/{id}/resolve', () => `/api/exceptions/${exceptionId}/resolve`, ACO, () => ({ note: 'fixed' })],
  ['POST', '/api/exceptions/{id}/fix-lookup', () => `/api/exceptions/${exceptionId}/fix-lookup`, ACO, () => ({ values: {} })],
  ['POST', '/api/exceptions/{id}/fetch-order', () => `/api/exceptions/${exceptionId}/fetch-order`, ACO, () => ({})],
  ['POST', '/api/exceptions/{id}/retry', () => `/api/exceptions/${exceptionId}/retry`, ACO, () => ({})],
  ['POST', '/api/exceptions/bulk', () => '/api/exceptions/bulk', ACO, () => ({ ids: [exceptionId], action: 'acknowledge' })],
  [
    'POST',
    '/api/assist/suggest-mapping',
    () => '/api/assist/suggest-mapping',
    ACC,
    () => ({ target: { type: 'object', properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' } } } }),
  ],
  ['POST', '/api/assist/map-fields', () => '/api/assist/map-fields', ACC, () => ({ accepted: [{ target: 'currency', path: 'order.currency' }] })],
  ['GET', '/api/assist/exceptions/{id}', () => `/api/assist/exceptions/${exceptionId}`, ALL],
  // Accepting a proposed row is a triage step too (operators), and what client staff do from the lookup editor.
  [
    'POST',
    '/api/assist/exceptions/{id}/accept',
    () => `/api/assist/exceptions/${exceptionId}/accept`,
    ['owner', 'consultant', 'client', 'operator'],
    () => ({ rows: [{ title: 'VAT', rate: '0.2', taxCode: 'X' }] }),
  ],
  ['GET', '/api/assist/triage', () => `/api/assist/triage?ids=${exceptionId}`, ALL],
  ['GET', '/api/assist/lookups/{name}/proposals', () => '/api/assist/lookups/doomed/proposals', ALL],
  ['GET', '/api/assist/settings', () => '/api/assist/settings', AC],
  ['PUT', '/api/assist/settings', () => '/api/assist/settings', AC, () => ({ model: 'llama3.1:8b' })],
  ['POST', '/api/assist/settings/test', () => '/api/assist/settings/test', AC],
  ['POST', '/api/assist/settings/preview', () => '/api/assist/settings/preview', AC, () => ({})],
  ['GET', '/api/dashboard/summary', () => '/api/dashboard/summary', NC],
  ['GET', '/api/dashboard/series/orders', () => '/api/dashboard/series/orders', NC],
  ['GET', '/api/dashboard/series/drift', () => '/api/dashboard/series/drift', NC],
  ['GET', '/api/dashboard/series/payouts', () => '/api/dashboard/series/payouts', NC],
  ['GET', '/api/flows/{id}/test-runs', () => '/api/flows/f/test-runs', ALL],
  ['DELETE', '/api/flows/{id}/test-runs', () => '/api/flows/f/test-runs', ACC],
  ['GET', '/api/flows/{id}/store-orders', () => '/api/flows/f/store-orders', ACC],
  ['GET', '/api/flows/{id}/nodes/{nodeId}/samples', () => '/api/flows/f/nodes/a/samples', ALL],
  ['POST', '/api/flows/{id}/run-now', () => '/api/flows/f/run-now', ACO],
  ['POST', '/api/flows/{id}/pause', () => '/api/flows/f/pause', ACO],
  ['POST', '/api/flows/{id}/resume', () => '/api/flows/f/resume', ACO],
  ['POST', '/api/flows/{id}/schedule', () => '/api/flows/f/schedule', ACO, () => ({ cron: '*/30 * * * *' })],
  ['GET', '/api/schedules', () => '/api/schedules', ALL],
  ['GET', '/api/monitors', () => '/api/monitors', NC],
  ['GET', '/api/sandbox', () => '/api/sandbox', ACO],
  ['POST', '/api/sandbox/events', () => '/api/sandbox/events', ACO, () => ({ scenario: 'paid-order' })],
];

beforeAll(async () => {
  t = await testServer({ withRoles: true });
  const rt = t.server.runtime;
  await rt.flows.create(
    flow(
      'f',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a'],
    ),
  );
  await rt.flows.publish('f', { message: 'v1' });
  await rt.flows.create(flow('cr', [{ id: 't', type: 'trigger.manual' }], []));
  await rt.flows.publish('cr', { message: 'v1' });
  await t.server.deps.connections.create({ id: 'erp1', kind: 'erp', provider: 'sandbox', name: 'ERP', config: {} });
  userId = (await t.server.deps.users.byEmail('viewer@example.com'))!.id;
  await t.server.deps.lookups.create({ name: 'tax', keyColumns: [{ name: 'key' }], valueColumns: ['code'] }, [{ key: 'a', code: 'A' }]);
});
afterAll(() => t.close());

async function fixtures() {
  // Fresh objects each call: a queued run (cancel/replay targets), a deletable connection and token.
  const rt = t.server.runtime;
  runId = (await rt.queue.ingest({ source: 'manual', payload: { value: 1 }, targets: [{ flowId: 'f', version: 1 }] })).runIds[0]!;
  eventId = (await rt.runs.get(runId)).eventId;
  if (!(await t.server.deps.connections.find('doomed')))
    await t.server.deps.connections.create({ id: 'doomed', kind: 'erp', provider: 'sandbox', name: 'D', config: {} });
  tokenId = (await t.server.deps.users.createToken(userId, 'victim')).info.id;
  // A fresh pending request each call (creating one supersedes the last), so every role meets one to decide.
  changeRequestId = (
    await t.server.deps.changeRequests.create('cr', {
      message: 'm',
      by: 'client@example.com',
      dryRun: null,
      dryRunError: null,
      diff: { nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] } },
    })
  ).request.id;
  exceptionId = (await t.server.deps.exceptions.raise({ type: 'failed-run', key: `matrix-${Math.random()}`, title: 'a failed run' })).id;
  if (!(await t.server.deps.lookups.list()).some((x) => x.name === 'doomed'))
    await t.server.deps.lookups.create({ name: 'doomed', keyColumns: [{ name: 'key' }], valueColumns: ['v'] });
}

describe('route x role matrix', () => {
  it('covers every authenticated route in the OpenAPI document', async () => {
    const doc = (await t.json('GET', '/api/openapi.json')).body;
    const documented: string[] = [];
    for (const [p, ops] of Object.entries<Record<string, { 'x-permission'?: string }>>(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) if (op['x-permission']) documented.push(`${m.toUpperCase()} ${p}`);
    }
    expect(rows.map((r) => `${r[0]} ${r[1]}`).sort()).toEqual(documented.sort());
  });

  for (const [method, template, path, allowed, body] of rows) {
    it(`${method} ${template}`, async () => {
      for (const role of ALL) {
        await fixtures();
        const r = await t.req(method, path(), { token: t.tokens[role], body: await body?.() });
        const cell = `${role} ${method} ${template} -> ${r.status}`;
        expect(r.status, cell).toBeLessThan(500);
        if (allowed.includes(role)) expect([401, 403], cell).not.toContain(r.status);
        else expect(r.status, cell).toBe(403);
      }
      await fixtures();
      const anon = await t.req(method, path(), { token: null, body: await body?.() });
      expect(anon.status, `anonymous ${method} ${template}`).toBe(401);
    });
  }
});
