// Workspaces are cells: a user of workspace A gets 404 for every route of workspace B (enumerated from the OpenAPI
// document, path parameters filled with B's real object ids), sees none of B's data through A, and neither flows
// nor webhooks of A reach B's store, lookups or connections.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from '../../runtime/node-api.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { ADMIN, flow, testLeaky, testShopifyTrigger, waitFor } from '../testing.ts';
import { coreNodes } from '../../nodes/core/index.ts';
import { Calls, testNodes } from '../../runtime/testing/fixtures.ts';
import type { LedgerlineServer } from '../app.ts';
import { testDeployment, type TestDeployment } from './testing.ts';
import { rawCount } from '../../runtime/testing/raw.ts';

/** Put into every object of B that can carry text: no response to a user of A may contain it. */
const MARK = 'B-PRIVATE-MARK';
const SECRET = 'shpss_b_and_a_share_this_secret_on_purpose';

/** Reads a lookup table by name (from the services of the runtime that runs it). */
const readLookup = defineNode({
  type: 'test.read-lookup',
  version: 1,
  title: 'Read lookup (test)',
  category: 'core',
  description: 'outputs the rows of a lookup table',
  config: z.object({ name: z.string() }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: { rows: null as unknown },
  execute: async (ctx) => ({ rows: (await ctx.lookups!.snapshot(ctx.config.name)) as unknown }),
});

let t: TestDeployment;
let A: LedgerlineServer;
let B: LedgerlineServer;
const tokensA = {} as Record<Role, string>;
let bOwnerToken = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await testDeployment({ nodeTypes: [...coreNodes, ...testNodes(new Calls()), testShopifyTrigger, testLeaky, readLookup] });
  for (const id of ['a', 'b'])
    expect((await t.json('POST', '/api/workspaces', { token: t.ownerToken, body: { id, name: `Workspace ${id}` } })).status).toBe(201);
  A = t.d.cell('a')!;
  B = t.d.cell('b')!;
  const dir = t.d.directory;
  for (const role of ROLES) {
    const u = await dir.createMemberUser('a', { email: `${role}@a.example`, role, password: 'password-a-1' });
    tokensA[role] = (await dir.users.createToken(u.id, 't')).token;
  }
  const bOwner = await dir.createMemberUser('b', { email: 'owner@b.example', role: 'owner', password: 'password-b-1' });
  bOwnerToken = (await dir.users.createToken(bOwner.id, 't')).token;

  // B's objects, each carrying MARK where it can.
  const rt = B.runtime;
  await rt.flows.create({
    ...flow(
      'bflow',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a'],
    ),
    name: `Flow ${MARK}`,
  });
  await rt.flows.publish('bflow', { message: `v1 ${MARK}` });
  await rt.flows.create(flow('bcr', [{ id: 't', type: 'trigger.manual' }], []));
  await rt.flows.publish('bcr', { message: 'v1' });
  await B.deps.connections.create({ id: 'berp', kind: 'erp', provider: 'sandbox', name: `ERP ${MARK}`, config: {}, secrets: { token: `secret-${MARK}` } });
  await B.deps.lookups.create({ name: 'btax', keyColumns: [{ name: 'key' }], valueColumns: ['code'] }, [{ key: 'a', code: MARK }]);
  ids.run = (await rt.queue.ingest({ source: 'manual', payload: { value: 1, note: MARK }, targets: [{ flowId: 'bflow', version: 1 }] })).runIds[0]!;
  ids.event = (await rt.runs.get(ids.run)).eventId!;
  ids.exception = (await B.deps.exceptions.raise({ type: 'failed-run', key: 'b-ex', title: `failed ${MARK}` })).id;
  ids.changeRequest = (
    await B.deps.changeRequests.create('bcr', {
      message: MARK,
      by: 'owner@b.example',
      dryRun: null,
      dryRunError: null,
      diff: { nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] } },
    })
  ).request.id;
  ids.user = bOwner.id;
  ids.token = (await dir.users.createToken(bOwner.id, `tok ${MARK}`)).info.id;
  await B.deps.audit.record('owner@b.example', 'test.mark', `x:${MARK}`, {});
  await rt.drain();
}, 60_000);
afterAll(() => t?.close());

/** A documented path with its parameters filled with B's object ids; unknown parameters fail the test (new routes must be added here). */
function fill(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_m, p: string) => {
    const v = (() => {
      if (p === 'workspace') return 'b';
      if (p === 'flowId') return 'bflow';
      if (p === 'connectionId') return 'berp';
      if (p === 'scope') return 'shared';
      if (p === 'name') return 'btax';
      if (p === 'version' || p === 'v') return '1';
      if (p === 'nodeId') return 'a';
      if (p !== 'id') return undefined;
      const seg = template.split('/')[template.startsWith('/api/assist/') ? 3 : 2];
      return (
        {
          flows: 'bflow',
          runs: ids.run,
          connections: 'berp',
          exceptions: ids.exception,
          events: ids.event,
          'change-requests': ids.changeRequest,
          users: ids.user,
          tokens: ids.token,
        } as Record<string, string | undefined>
      )[seg ?? ''];
    })();
    if (v === undefined) throw new Error(`isolation matrix: no B object for {${p}} in ${template}`);
    return encodeURIComponent(v);
  });
}

/** Not of any workspace: signing in (users are deployment-wide), listing one's workspaces, creating one (owner). */
const DEPLOYMENT_ROUTES = ['POST /api/auth/login', 'GET /api/workspaces', 'POST /api/workspaces'];

async function documentedRoutes(): Promise<[method: string, path: string][]> {
  const doc = (await t.json('GET', '/api/openapi.json', { token: t.ownerToken })).body;
  const out: [string, string][] = [];
  for (const [p, ops] of Object.entries<Record<string, unknown>>(doc.paths)) for (const m of Object.keys(ops)) out.push([m.toUpperCase(), p]);
  return out;
}

describe('workspace isolation matrix (workspace x role x every documented route)', () => {
  it('the fixtures are real: B sees its own marked objects', async () => {
    for (const path of ['/api/flows/bflow', '/api/connections/berp', '/api/lookups/shared/btax', `/api/exceptions/${ids.exception}`, '/api/audit']) {
      const r = await t.req('GET', path, { token: bOwnerToken, workspace: 'b' });
      expect(r.status, path).toBe(200);
      expect(await r.text(), path).toContain(MARK);
    }
  });

  it("answers 404 to every role of A for every route of B, and never shows B's data through A", async () => {
    const routes = await documentedRoutes();
    expect(routes.length).toBeGreaterThan(100);
    expect(routes.map((r) => r[1])).toContain('/api/workspaces');
    const failures: string[] = [];
    for (const role of ROLES) {
      // Deployment-level routes answer the same in every workspace; they are checked for what they reveal instead.
      for (const ws of ['b', 'default']) {
        const list = await t.json('GET', '/api/workspaces', { token: tokensA[role], workspace: ws });
        expect(list.body.workspaces.map((w: { id: string }) => w.id)).toEqual(['a']);
        expect((await t.json('POST', '/api/workspaces', { token: tokensA[role], workspace: ws, body: { id: `x-${role}` } })).status).toBe(403);
      }
      expect(await t.d.directory.get(`x-${role}`)).toBeUndefined();
      for (const [method, template] of routes) {
        if (DEPLOYMENT_ROUTES.includes(`${method} ${template}`)) continue;
        const path = fill(template);
        const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
        // Asking for B by name: 404, whatever the route.
        for (const ws of ['b', 'default']) {
          const r = await t.req(method, path, { token: tokensA[role], workspace: ws, body });
          const text = await r.text();
          if (r.status !== 404 || text.includes(MARK)) failures.push(`${role} ${method} ${template} in ${ws} -> ${r.status}`);
        }
        // Asking A (their only workspace, no header) for B's ids: nothing of B comes back.
        const own = await t.req(method, path, { token: tokensA[role], body });
        const text = await own.text();
        if (text.includes(MARK) || own.status >= 500) failures.push(`${role} ${method} ${template} via A -> ${own.status} ${text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    // B still has everything A tried to change or delete.
    expect(await B.runtime.flows.get('bflow')).toBeTruthy();
    expect(await B.deps.connections.find('berp')).toBeTruthy();
    expect((await B.deps.lookups.list()).map((l) => l.name)).toContain('btax');
  }, 120_000);

  it("a flow in A cannot read B's lookups or connections", async () => {
    const rt = A.runtime;
    await rt.flows.create(
      flow(
        'peek-lookup',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'r', type: 'test.read-lookup', config: { name: 'btax' } },
        ],
        ['t->r'],
      ),
    );
    await rt.flows.publish('peek-lookup', { message: 'v1' });
    await rt.flows.create(
      flow(
        'peek-conn',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'r', type: 'test.leaky', config: { connectionId: 'berp' } },
        ],
        ['t->r'],
      ),
    );
    await rt.flows.publish('peek-conn', { message: 'v1' });
    const [r1] = (await rt.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: 'peek-lookup', version: 1 }] })).runIds;
    const [r2] = (await rt.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: 'peek-conn', version: 1 }] })).runIds;
    const done = await waitFor(async () => {
      const a = await rt.runs.get(r1!);
      const b = await rt.runs.get(r2!);
      return ['failed', 'succeeded'].includes(a.status) && ['failed', 'succeeded'].includes(b.status) && [a, b];
    });
    expect(done.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(JSON.stringify(done)).not.toContain(MARK);
    // The same flow in B reads its own table: the reader works, A simply has no such table.
    await B.runtime.flows.create(
      flow(
        'own-lookup',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'r', type: 'test.read-lookup', config: { name: 'btax' } },
        ],
        ['t->r'],
      ),
    );
    await B.runtime.flows.publish('own-lookup', { message: 'v1' });
    const [r3] = (await B.runtime.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: 'own-lookup', version: 1 }] })).runIds;
    expect(
      (
        await waitFor(async () => {
          const r = await B.runtime.runs.get(r3!);
          return ['failed', 'succeeded'].includes(r.status) && r;
        })
      ).status,
    ).toBe('succeeded');
  });

  it("a webhook to A's URL starts runs in A only, never in B (same connection id and secret in both)", async () => {
    for (const cell of [A, B]) {
      await cell.deps.connections.create({
        id: 'shop',
        kind: 'shopify',
        provider: 'shopify',
        name: 'Shop',
        config: { shopDomain: 'shop.myshopify.com' },
        secrets: { webhookSecret: SECRET, accessToken: 'shpat_x' },
      });
      await cell.runtime.flows.create(
        flow('orders', [{ id: 't', type: 'test.shopify-trigger', config: { connectionId: 'shop', topics: ['orders/create'] } }], []),
      );
      await cell.runtime.flows.publish('orders', { activate: true });
    }
    const count = (s: LedgerlineServer) => rawCount(s.runtime.store, "SELECT COUNT(*) AS n FROM runs WHERE flow_id = 'orders'");
    const body = JSON.stringify({ id: 1, total_price: '10.00' });
    const send = (path: string) =>
      t.req('POST', path, {
        headers: {
          'content-type': 'application/json',
          'X-Shopify-Hmac-Sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
          'X-Shopify-Topic': 'orders/create',
          'X-Shopify-Shop-Domain': 'shop.myshopify.com',
          'X-Shopify-API-Version': '2026-04',
          'X-Shopify-Webhook-Id': randomUUID(),
          'X-Shopify-Event-Id': randomUUID(),
        },
        body: JSON.parse(body),
      });
    const r = await send('/webhooks/shopify/a/shop');
    expect(r.status).toBe(200);
    expect(await count(A)).toBe(1);
    expect(await count(B)).toBe(0);
    // The default workspace's old URL reaches the default cell only (which has no such connection).
    expect((await send('/webhooks/shopify/shop')).status).toBe(404);
    expect((await send('/webhooks/shopify/nope/shop')).status).toBe(404);
    expect((await count(A)) + (await count(B))).toBe(1);
  });
});

describe('workspaces in GET /api/workspaces', () => {
  it('a consultant in two workspaces sees both with their role in each; the owner sees all', async () => {
    const dir = t.d.directory;
    const u = await dir.createMemberUser('a', { email: 'consultant@both.example', role: 'consultant', password: 'password-c-1' });
    // B's owner is not told the account exists (see members.test.ts): a first password is sent, and it stays unused.
    const add = await t.json('POST', '/api/workspaces/b/members', {
      token: bOwnerToken,
      body: { email: 'consultant@both.example', role: 'viewer', password: 'unused-first-1' },
    });
    expect(add.status).toBe(202);
    const token = (await dir.users.createToken(u.id, 't')).token;
    const mine = await t.json('GET', '/api/workspaces', { token });
    expect(mine.body.workspaces.map((w: { id: string; role: string }) => [w.id, w.role])).toEqual([
      ['a', 'consultant'],
      ['b', 'viewer'],
    ]);
    // Their role is per workspace: a consultant may create flows in A, not as a viewer in B.
    expect((await t.json('POST', '/api/flows', { token, workspace: 'a', body: flow('c1', [{ id: 't', type: 'trigger.manual' }], []) })).status).toBe(201);
    expect((await t.json('POST', '/api/flows', { token, workspace: 'b', body: flow('c1', [{ id: 't', type: 'trigger.manual' }], []) })).status).toBe(403);
    // With two workspaces and neither the default, the header is needed: without it the default answers 404.
    expect((await t.json('GET', '/api/flows', { token })).status).toBe(404);
    const all = await t.json('GET', '/api/workspaces', { token: t.ownerToken });
    expect(all.body.workspaces.map((w: { id: string; role: string }) => [w.id, w.role])).toEqual([
      ['default', 'owner'],
      ['a', 'owner'],
      ['b', 'owner'],
    ]);
    // B's owner manages B's members, not A's (404: A does not exist for them), and creates no workspace.
    expect((await t.json('GET', '/api/workspaces/a/members', { token: bOwnerToken })).status).toBe(404);
    expect((await t.json('POST', '/api/workspaces', { token: bOwnerToken, body: { id: 'c' } })).status).toBe(403);
    expect((await t.json('GET', '/api/users', { token: bOwnerToken, workspace: 'b' })).status).toBe(403);
    // An owner of the default workspace (not the deployment owner) cannot take over B's users through /api/users.
    const other = await dir.users.create({ email: 'owner2@default.example', role: 'owner', password: 'password-o-1' });
    const otherToken = (await dir.users.createToken(other.id, 't')).token;
    expect((await t.json('PUT', `/api/users/${ids.user}`, { token: otherToken, body: { password: 'taken-over-1' } })).status).toBe(403);
    expect((await t.json('GET', '/api/tokens', { token: otherToken })).status).toBe(403);
    expect((await t.json('GET', '/api/users', { token: t.ownerToken })).status).toBe(200);
  });
});

it('a fresh data dir has exactly one workspace, the default one, with the first admin as its owner', async () => {
  const f = await testDeployment();
  try {
    const login = await f.json('POST', '/api/auth/login', { body: ADMIN });
    expect(login.status).toBe(200);
    const ws = await f.json('GET', '/api/workspaces', { token: f.ownerToken });
    expect(ws.body).toMatchObject({ owner: true, workspaces: [{ id: 'default', role: 'owner' }] });
    expect([...f.d.cells().keys()]).toEqual(['default']);
  } finally {
    await f.close();
  }
});
