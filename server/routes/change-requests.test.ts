import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from '../../runtime/node-api.ts';
import { flow, testMap, testServer, waitFor, type TestServer } from '../testing.ts';

/** test.map that a dry run may execute (it writes nothing), so the dry run reaches the flow's end output. */
const pureMap = defineNode({ ...testMap, type: 'test.pure-map', config: z.object({ fields: z.record(z.string(), z.string()).default({}) }), dryRun: 'pure' });

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true, extraNodes: [pureMap] });
});
afterEach(() => t.close());

// A flow that writes nothing: the dry run compares its end output, the map node's.
const base = () =>
  flow(
    'm',
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'map', type: 'test.pure-map', config: { fields: { a: '1' } } },
    ],
    ['t->map'],
  );

/** A published, active flow with one real run, whose client changes need approval. */
async function approvalFlow() {
  await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: base() });
  expect((await t.json('POST', '/api/flows/m/publish', { token: t.tokens.consultant, body: { message: 'v1' } })).status).toBe(201);
  await t.json('POST', '/api/flows/m/activate', { token: t.tokens.consultant, body: {} });
  const runId = (await t.server.runtime.queue.ingest({ source: 'manual', payload: { value: 1 }, targets: [{ flowId: 'm', version: 1 }] })).runIds[0]!;
  await waitFor(async () => (await t.server.runtime.runs.get(runId)).status === 'succeeded');
  const p = await t.json('PUT', '/api/flows/m/approval-policy', { token: t.tokens.consultant, body: { clientChangesNeedApproval: true } });
  expect(p.status).toBe(200);
}

/** The client changes the mapping (field `a`) and publishes. */
async function clientPublishes(a: string, message = `a is ${a}`) {
  const doc = base();
  doc.nodes[1]!.config = { fields: { a } };
  expect((await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: doc })).status).toBe(200);
  return t.json('POST', '/api/flows/m/publish', { token: t.tokens.client, body: { message } });
}

const latest = async () => (await t.server.runtime.flows.get('m')).latestVersion;

describe('approval policy', () => {
  it('is off by default, readable by everyone, set by consultants and owners only (audited)', async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: base() });
    const off = await t.json('GET', '/api/flows/m/approval-policy', { token: t.tokens.client });
    expect(off.body).toEqual({ flowId: 'm', clientChangesNeedApproval: false, updatedBy: null, updatedAt: null });
    expect((await t.json('PUT', '/api/flows/m/approval-policy', { token: t.tokens.client, body: { clientChangesNeedApproval: false } })).status).toBe(403);
    expect((await t.json('PUT', '/api/flows/m/approval-policy', { token: t.tokens.operator, body: { clientChangesNeedApproval: true } })).status).toBe(403);
    const on = await t.json('PUT', '/api/flows/m/approval-policy', { token: t.tokens.owner, body: { clientChangesNeedApproval: true } });
    expect(on.body).toMatchObject({ clientChangesNeedApproval: true, updatedBy: 'admin@example.com' });
    expect((await t.json('GET', '/api/flows/m/approval-policy', { token: t.tokens.viewer })).body.clientChangesNeedApproval).toBe(true);
    expect((await t.json('GET', '/api/flows/nope/approval-policy', { token: t.tokens.owner })).status).toBe(404);
    const audit = (await t.json('GET', '/api/audit', { token: t.tokens.owner })).body.entries;
    expect(audit.find((e: { action: string }) => e.action === 'flow.approval-policy')).toMatchObject({
      actor: 'admin@example.com',
      target: 'flow:m',
      details: { before: false, after: true },
    });
  });
});

describe('a client publish on a flow that needs approval', () => {
  it('goes live only when a consultant approves: exactly the requested draft, authored by the client, approved by the consultant, audited', async () => {
    await approvalFlow();
    const asked = await clientPublishes('2', 'a is two');
    expect(asked.status).toBe(202);
    expect(asked.body.pending).toBe(true);
    const req = asked.body.changeRequest;
    expect(req).toMatchObject({ flowId: 'm', status: 'pending', message: 'a is two', baseVersion: 1, requestedBy: 'client@example.com', stale: null });
    // Nothing went live.
    expect(await latest()).toBe(1);
    expect((await t.server.runtime.flows.get('m')).activeVersion).toBe(1);

    // What the consultant reviews: the requested draft, its diff from v1 and the dry run on the flow's real run.
    const full = (await t.json('GET', `/api/change-requests/${req.id}`, { token: t.tokens.consultant })).body;
    expect(full.definition.nodes[1].config).toEqual({ fields: { a: '2' } });
    expect(full.diff.nodes.changed).toEqual([{ id: 'map', fields: ['config.fields.a'] }]);
    expect(full.dryRun.summary).toMatchObject({ events: 1, changed: 1 });
    expect(full.dryRunSummary).toMatchObject({ events: 1, changed: 1 });
    const pending = (await t.json('GET', '/api/change-requests?status=pending', { token: t.tokens.consultant })).body.changeRequests;
    expect(pending.map((r: { id: string }) => r.id)).toEqual([req.id]);

    // Clients (and operators) cannot decide.
    expect((await t.json('POST', `/api/change-requests/${req.id}/approve`, { token: t.tokens.client })).status).toBe(403);
    expect((await t.json('POST', `/api/change-requests/${req.id}/reject`, { token: t.tokens.client, body: { reason: 'no' } })).status).toBe(403);
    expect((await t.json('POST', `/api/change-requests/${req.id}/approve`, { token: t.tokens.operator })).status).toBe(403);

    const ok = await t.json('POST', `/api/change-requests/${req.id}/approve`, { token: t.tokens.consultant });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toMatchObject({ version: 2, message: 'a is two', createdBy: 'client@example.com', approvedBy: 'consultant@example.com' });
    expect(ok.body.changeRequest).toMatchObject({ status: 'approved', decidedBy: 'consultant@example.com', publishedVersion: 2 });
    const v2 = (await t.json('GET', '/api/flows/m/versions/2', { token: t.tokens.client })).body;
    expect(v2.definition.nodes.map((n: { id: string; config: unknown }) => [n.id, n.config])).toEqual([
      ['t', {}],
      ['map', { fields: { a: '2' } }],
    ]);
    // The active flow moved to the client's version.
    expect(await t.server.runtime.flows.get('m')).toMatchObject({ active: true, activeVersion: 2 });
    const versions = (await t.json('GET', '/api/flows/m/versions', { token: t.tokens.viewer })).body.versions;
    expect(versions[0]).toMatchObject({ version: 2, createdBy: 'client@example.com', approvedBy: 'consultant@example.com' });
    expect(versions[1]).not.toHaveProperty('approvedBy');

    const audit = (await t.json('GET', '/api/audit?limit=50', { token: t.tokens.owner })).body.entries as Array<{
      actor: string;
      action: string;
      target: string;
      details: Record<string, unknown>;
    }>;
    expect(audit.find((e) => e.action === 'flow.change-request.create')).toMatchObject({
      actor: 'client@example.com',
      target: 'flow:m',
      details: { changeRequest: req.id },
    });
    expect(audit.find((e) => e.action === 'flow.change-request.approve')).toMatchObject({
      actor: 'consultant@example.com',
      target: 'flow:m@2',
      details: { changeRequest: req.id, requestedBy: 'client@example.com' },
    });
    expect(audit.find((e) => e.action === 'flow.publish' && e.target === 'flow:m@2')).toMatchObject({
      actor: 'consultant@example.com',
      details: { author: 'client@example.com', approvedBy: 'consultant@example.com' },
    });

    // Decided once: not approved again, not withdrawn after the fact.
    expect((await t.json('POST', `/api/change-requests/${req.id}/withdraw`, { token: t.tokens.client })).status).toBe(409);
    const again = await t.json('POST', `/api/change-requests/${req.id}/approve`, { token: t.tokens.owner });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/is approved \(by consultant@example.com\)/);
    expect(await latest()).toBe(2);
  });

  it('a draft changed after the request makes it stale: approving is refused naming why; rejecting says why to the client', async () => {
    await approvalFlow();
    const req = (await clientPublishes('2')).body.changeRequest;
    // The client keeps editing after asking.
    const doc = base();
    doc.nodes[1]!.config = { fields: { a: '3' } };
    await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: doc });
    const seen = (await t.json('GET', `/api/change-requests/${req.id}`, { token: t.tokens.consultant })).body;
    expect(seen.stale).toMatch(/^the draft of flow "m" was changed after this request/);
    const refused = await t.json('POST', `/api/change-requests/${req.id}/approve`, { token: t.tokens.consultant });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('stale');
    expect(refused.body.error.message).toMatch(/is stale and cannot be approved: the draft of flow "m" was changed after this request/);
    expect(await latest()).toBe(1);

    // Saving the same content again is not a change: back to what was asked, the request is approvable again.
    doc.nodes[1]!.config = { fields: { a: '2' } };
    await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: doc });
    expect((await t.json('GET', `/api/change-requests/${req.id}`, { token: t.tokens.consultant })).body.stale).toBeNull();

    expect((await t.json('POST', `/api/change-requests/${req.id}/reject`, { token: t.tokens.consultant, body: { reason: '  ' } })).status).toBe(400);
    const rej = await t.json('POST', `/api/change-requests/${req.id}/reject`, {
      token: t.tokens.consultant,
      body: { reason: 'Tax lines must keep the ERP code; talk to me first.' },
    });
    expect(rej.status).toBe(200);
    expect(rej.body.changeRequest).toMatchObject({
      status: 'rejected',
      decidedBy: 'consultant@example.com',
      reason: 'Tax lines must keep the ERP code; talk to me first.',
    });
    // The client reads the reason on the flow.
    const mine = (await t.json('GET', '/api/change-requests?flowId=m', { token: t.tokens.client })).body.changeRequests;
    expect(mine[0]).toMatchObject({ id: req.id, status: 'rejected', reason: 'Tax lines must keep the ERP code; talk to me first.' });
    expect((await t.json('POST', `/api/change-requests/${req.id}/approve`, { token: t.tokens.consultant })).status).toBe(409);
    expect(await latest()).toBe(1);
    const audit = (await t.json('GET', '/api/audit?limit=50', { token: t.tokens.owner })).body.entries;
    expect(audit.find((e: { action: string }) => e.action === 'flow.change-request.reject')).toMatchObject({
      actor: 'consultant@example.com',
      details: { reason: 'Tax lines must keep the ERP code; talk to me first.' },
    });
  });

  it('a version published after the request makes it stale (approving would undo it); a newer request supersedes an older one', async () => {
    await approvalFlow();
    const first = (await clientPublishes('2')).body.changeRequest;
    const second = (await clientPublishes('4')).body.changeRequest;
    const list = (await t.json('GET', '/api/change-requests?flowId=m', { token: t.tokens.consultant })).body.changeRequests;
    expect(list.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      [second.id, 'pending'],
      [first.id, 'superseded'],
    ]);
    expect((await t.json('POST', `/api/change-requests/${first.id}/approve`, { token: t.tokens.consultant })).status).toBe(409);

    // Consultants publish directly (the policy is about client changes); the pending request no longer fits.
    const doc = base();
    doc.nodes[1]!.config = { fields: { a: '7' } };
    await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.consultant, body: doc });
    expect((await t.json('POST', '/api/flows/m/publish', { token: t.tokens.consultant, body: { message: 'a is 7' } })).status).toBe(201);
    const r = await t.json('POST', `/api/change-requests/${second.id}/approve`, { token: t.tokens.owner });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(
      /version 2 of flow "m" was published by consultant@example.com after this request \(it was made against version 1\); approving it would undo that version/,
    );
    expect(await latest()).toBe(2);
    expect((await t.json('GET', '/api/flows/m/versions/2', { token: t.tokens.owner })).body.definition.nodes[1].config).toEqual({ fields: { a: '7' } });
  });

  it('with the policy off a client publishes at once, as before; a draft that does not validate is refused, not requested', async () => {
    await approvalFlow();
    await t.json('PUT', '/api/flows/m/approval-policy', { token: t.tokens.consultant, body: { clientChangesNeedApproval: false } });
    const r = await clientPublishes('5');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ version: 2, createdBy: 'client@example.com' });
    await t.json('PUT', '/api/flows/m/approval-policy', { token: t.tokens.consultant, body: { clientChangesNeedApproval: true } });
    const bad = await clientPublishes(5 as unknown as string);
    expect(bad.status).toBe(422);
    expect((await t.json('GET', '/api/change-requests', { token: t.tokens.consultant })).body.changeRequests).toEqual([]);
  });

  it('the client who asked can withdraw a pending request; another client cannot; nothing is published', async () => {
    await approvalFlow();
    const req = (await clientPublishes('2')).body.changeRequest;
    await t.server.deps.users.create({ email: 'other-client@example.com', role: 'client', password: 'role-password-1' });
    const other = (await t.server.deps.users.createToken((await t.server.deps.users.byEmail('other-client@example.com'))!.id, 'test')).token;
    const refused = await t.json('POST', `/api/change-requests/${req.id}/withdraw`, { token: other });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/was asked for by client@example.com: only they, a consultant or an owner can withdraw it/);
    const w = await t.json('POST', `/api/change-requests/${req.id}/withdraw`, { token: t.tokens.client });
    expect(w.status).toBe(200);
    expect(w.body.changeRequest).toMatchObject({ status: 'withdrawn', decidedBy: 'client@example.com' });
    expect((await t.json('POST', `/api/change-requests/${req.id}/approve`, { token: t.tokens.consultant })).status).toBe(409);
    expect((await t.json('GET', '/api/change-requests?status=pending', { token: t.tokens.consultant })).body.changeRequests).toEqual([]);
    expect(await latest()).toBe(1);
  });
});
