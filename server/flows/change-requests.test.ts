import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';
import { ChangeRequestConflict } from './change-requests.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer();
  await t.server.runtime.flows.create(
    flow(
      'f',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a'],
    ),
  );
  await t.server.runtime.flows.publish('f', { message: 'v1' });
});
afterEach(() => t.close());

const noDiff = { nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] } };
const ask = async () =>
  (await t.server.deps.changeRequests.create('f', { message: 'm', by: 'client@example.com', dryRun: null, dryRunError: 'no events', diff: noDiff })).request;

describe('ChangeRequests', () => {
  it('stays pending when publishing it fails, and approves once publishing succeeds', async () => {
    const requests = t.server.deps.changeRequests;
    const r = await ask();
    await expect(
      requests.approve(r.id, 'consultant@example.com', () => {
        throw new Error('ERP down');
      }),
    ).rejects.toThrow('ERP down');
    expect(await requests.get(r.id)).toMatchObject({ status: 'pending', decidedBy: null, publishedVersion: null });
    const ok = await requests.approve(r.id, 'consultant@example.com', (req) =>
      t.server.runtime.flows.publish(req.flowId, { message: req.message, by: req.requestedBy }),
    );
    expect(ok.request).toMatchObject({ status: 'approved', publishedVersion: 2, decidedBy: 'consultant@example.com' });
    expect(await requests.approvals('f')).toEqual(new Map([[2, 'consultant@example.com']]));
  });

  it('two decisions at once: one wins, the other finds the request decided and publishes nothing', async () => {
    const requests = t.server.deps.changeRequests;
    const r = await ask();
    let published = 0;
    const results = await Promise.allSettled([
      requests.approve(r.id, 'a@example.com', (req) => (published++, t.server.runtime.flows.publish(req.flowId, { message: req.message }))),
      requests.reject(r.id, 'b@example.com', 'no'),
      requests.approve(r.id, 'c@example.com', (req) => (published++, t.server.runtime.flows.publish(req.flowId, { message: req.message }))),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    for (const x of results) if (x.status === 'rejected') expect(x.reason).toMatchObject({ code: 'decided' });
    expect(published).toBeLessThanOrEqual(1);
    expect(await t.server.runtime.flows.latestVersion('f')).toBe(1 + published);
  });

  it('a new request supersedes the pending one of the flow', async () => {
    const first = await ask();
    const { request, superseded } = await t.server.deps.changeRequests.create('f', {
      message: 'again',
      by: 'client@example.com',
      dryRun: null,
      dryRunError: null,
      diff: noDiff,
    });
    expect(superseded).toEqual([first.id]);
    expect((await t.server.deps.changeRequests.get(first.id)).status).toBe('superseded');
    expect((await t.server.deps.changeRequests.list({ flowId: 'f', status: 'pending' })).map((x) => x.id)).toEqual([request.id]);
  });

  it('refuses a stale request before publishing anything', async () => {
    const requests = t.server.deps.changeRequests;
    const r = await ask();
    const doc = await t.server.runtime.flows.draft('f');
    await t.server.runtime.flows.updateDraft('f', { ...doc, name: 'renamed' });
    let published = false;
    const attempt = () => requests.approve(r.id, 'consultant@example.com', async () => ((published = true), { version: 99 }));
    await expect(attempt()).rejects.toThrow(ChangeRequestConflict);
    await expect(attempt()).rejects.toThrow(/the draft of flow "f" was changed after this request/);
    expect(published).toBe(false);
    expect((await requests.get(r.id)).status).toBe('pending');
  });

  it('a version another process published between the check and the publish makes it stale, and the publish is undone', async () => {
    const requests = t.server.deps.changeRequests;
    const r = await ask();
    const flows = t.server.runtime.flows;
    // What the race looks like from inside: the publish lands as version 3, version 2 having appeared meanwhile.
    const raced = requests.approve(r.id, 'consultant@example.com', async (req) => {
      await flows.publishDocument('f', req.definition, { message: 'the other process' });
      return flows.publish(req.flowId, { message: req.message });
    });
    await expect(raced).rejects.toThrow(/got another version meanwhile/);
    expect(await flows.latestVersion('f')).toBe(1);
    expect((await requests.get(r.id)).status).toBe('pending');
  });

  it('keeps the dry run error with the request when the dry run could not run', async () => {
    const r = await t.server.deps.changeRequests.get((await ask()).id);
    expect(r).toMatchObject({ dryRun: null, dryRunError: 'no events', dryRunSummary: null, baseVersion: 1 });
  });
});
