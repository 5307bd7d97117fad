// The exceptions API through app.request() over the real service, runtime and SQLite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Runtime } from '../../runtime/index.ts';
import { testRuntime } from '../../runtime/testing/runtime.ts';
import { defineNode, NodeError, type NodeServices } from '../../runtime/node-api.ts';
import { flow, tempDir, noSandbox } from '../../runtime/testing/fixtures.ts';
import { coreNodes } from '../../nodes/core/index.ts';
import { createExceptionService, type ExceptionAction, type ExceptionService } from './store/index.ts';
import { exceptionRoutes, EXCEPTION_PERMISSIONS, type ExceptionPermission } from './routes.ts';

const down = { value: true };
const erp = defineNode({
  type: 'test.erp',
  version: 1,
  title: 'ERP',
  category: 'erp',
  description: 'test',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: (_c, i: unknown) => {
    if (down.value) throw new NodeError('Sandbox ERP: unreachable', { errorClass: 'transient', code: 'ERP_UNAVAILABLE', details: { erp: 'sandbox' } });
    return i;
  },
});
const types = [...coreNodes, erp];

const authorize =
  (perm: ExceptionPermission): MiddlewareHandler =>
  async (c, next) => {
    const role = c.req.header('x-role') ?? '';
    if (!(EXCEPTION_PERMISSIONS[perm] as readonly string[]).includes(role))
      return c.json({ error: { code: 'forbidden', message: `role "${role}" may not ${perm}` } }, 403);
    c.set('user' as never, { email: `${role}@shop.test` } as never);
    await next();
  };

let tmp: ReturnType<typeof tempDir>;
let rt: Runtime;
let svc: ExceptionService;
let app: Hono;
let audit: ExceptionAction[];

beforeEach(async () => {
  tmp = tempDir();
  down.value = true;
  const services: NodeServices = {};
  rt = await testRuntime({ dataDir: tmp.dir, lookup: (t) => types.find((x) => x.type === t), sandbox: noSandbox, services, worker: { pollMs: 5 } });
  audit = [];
  svc = createExceptionService(rt.store, rt, { onAction: (a) => void audit.push(a) });
  services.exceptions = svc;
  rt.start();
  app = new Hono().route('/api/exceptions', exceptionRoutes(svc, { authorize }));
});
afterEach(async () => {
  svc.detach();
  await rt.close();
  tmp.cleanup();
});

const req = async (method: string, path: string, role: string, body?: unknown) => {
  const res = await app.request(`/api/exceptions${path}`, {
    method,
    headers: { 'x-role': role, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('exceptions API', () => {
  it('lists with filters, gets with history, and runs the triage actions with the caller recorded', async () => {
    const a = await svc.raise({ type: 'inventory-drift', key: 'TEE-S@WH', title: 'TEE-S drifts by 5 at WH' });
    const b = await svc.raise({ type: 'payout-variance', key: 'payout:1', title: 'Payout 1 off by 0.10' });
    await svc.raise({ type: 'orphaned-order', key: '#1001', title: 'orphan', severity: 'low' });

    expect((await req('GET', '', 'client')).body.total).toBe(3);
    expect((await req('GET', '?owner=finance', 'viewer')).body.items.map((x: any) => x.id)).toEqual([b.id]);
    expect((await req('GET', '?severity=low&state=open', 'viewer')).body.items.map((x: any) => x.key)).toEqual(['#1001']);
    expect((await req('GET', '?type=inventory-drift', 'viewer')).body.items[0]).toMatchObject({ id: a.id, owner: 'operations', count: 1 });
    const bad = await req('GET', '?state=closed&limit=0', 'viewer');
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems.map((p: any) => p.path).sort()).toEqual(['$.limit', '$.state']);

    expect((await req('POST', `/${a.id}/acknowledge`, 'client', {})).status).toBe(403);
    expect((await req('POST', `/${a.id}/acknowledge`, 'operator', { note: 'looking' })).body.state).toBe('acknowledged');
    expect((await req('POST', `/${a.id}/assign`, 'operator', {})).status).toBe(400);
    expect((await req('POST', `/${a.id}/assign`, 'operator', { assignee: 'sam@shop.test', owner: 'ecommerce' })).body).toMatchObject({
      assignee: 'sam@shop.test',
      owner: 'ecommerce',
    });
    const noNote = await req('POST', `/${a.id}/resolve`, 'operator', { note: '   ' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.problems[0].path).toBe('$.note');
    expect((await req('POST', `/${a.id}/resolve`, 'operator', { note: 'stock recounted' })).body).toMatchObject({
      state: 'resolved',
      resolutionNote: 'stock recounted',
      resolvedBy: 'operator@shop.test',
    });
    expect((await req('POST', `/${a.id}/resolve`, 'operator', { note: 'again' })).status).toBe(409);
    expect((await req('GET', '/exc_nope', 'client')).status).toBe(404);

    const detail = (await req('GET', `/${a.id}`, 'client')).body;
    expect(detail.events.map((e: any) => `${e.actor} ${e.action}`)).toEqual([
      'system opened',
      'operator@shop.test acknowledged',
      'operator@shop.test assigned',
      'operator@shop.test resolved',
    ]);
    expect(audit.filter((x) => x.exceptionId === a.id).map((x) => x.action)).toEqual(['opened', 'acknowledged', 'assigned', 'resolved']);
  });

  it('retry replays the failed run, and the successful replay auto-resolves; bulk retry needs the retry permission', async () => {
    await rt.flows.create(
      flow(
        'o2e',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'erp', type: 'test.erp' },
        ],
        ['t->erp'],
        { retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } },
      ),
    );
    await rt.flows.publish('o2e', { activate: true });
    await rt.queue.ingest({ source: 'manual', payload: { n: 1 }, targets: [{ flowId: 'o2e', version: 1 }] });
    await rt.drain();
    const [exc] = (await svc.list()).items;
    if (!exc) throw new Error('the failed run raised no exception');
    expect(exc).toMatchObject({ type: 'erp-unreachable', state: 'open' });

    const forbidden = await req('POST', '/bulk', 'viewer', { ids: [exc.id], action: 'retry' });
    expect(forbidden.status).toBe(403);
    // Read-only users may not triage at all; a triager's bulk resolve still needs its note.
    expect((await req('POST', '/bulk', 'viewer', { ids: [exc.id], action: 'resolve' })).status).toBe(403);
    expect((await req('POST', '/bulk', 'operator', { ids: [exc.id], action: 'resolve' })).status).toBe(400);

    down.value = false;
    const r = await req('POST', `/${exc.id}/retry`, 'operator');
    expect(r.status).toBe(202);
    expect(r.body.replayed).toHaveLength(1);
    await rt.drain();
    expect((await req('GET', `/${exc.id}`, 'client')).body).toMatchObject({ state: 'resolved', autoResolved: true });
    expect((await req('POST', `/${exc.id}/retry`, 'operator')).status).toBe(409);

    const x = await svc.raise({ type: 'stuck-run', key: 'run_1', title: 'stuck' });
    const y = await svc.raise({ type: 'stuck-run', key: 'run_2', title: 'stuck' });
    const bulk = await req('POST', '/bulk', 'operator', { ids: [x.id, y.id, exc.id], action: 'acknowledge' });
    expect(bulk.body.results.map((q: any) => q.ok)).toEqual([true, true, false]);
    expect((await req('GET', '?state=acknowledged', 'client')).body.total).toBe(2);
  });
});
