import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';
import { ChangeRequestConflict } from './change-requests.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer();
  t.server.runtime.flows.create(
    flow(
      'f',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a'],
    ),
  );
  t.server.runtime.flows.publish('f', { message: 'v1' });
});
afterEach(() => t.close());

const noDiff = { nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] } };
const ask = () =>
  t.server.deps.changeRequests.create('f', { message: 'm', by: 'client@example.com', dryRun: null, dryRunError: 'no events', diff: noDiff }).request;

describe('ChangeRequests', () => {
  it('stays pending when publishing it fails, and approves once publishing succeeds', () => {
    const requests = t.server.deps.changeRequests;
    const r = ask();
    expect(() =>
      requests.approve(r.id, 'consultant@example.com', () => {
        throw new Error('ERP down');
      }),
    ).toThrow('ERP down');
    expect(requests.get(r.id)).toMatchObject({ status: 'pending', decidedBy: null, publishedVersion: null });
    const ok = requests.approve(r.id, 'consultant@example.com', (req) =>
      t.server.runtime.flows.publish(req.flowId, { message: req.message, by: req.requestedBy }),
    );
    expect(ok.request).toMatchObject({ status: 'approved', publishedVersion: 2, decidedBy: 'consultant@example.com' });
    expect(requests.approvals('f')).toEqual(new Map([[2, 'consultant@example.com']]));
  });

  it('refuses a stale request before publishing anything', () => {
    const requests = t.server.deps.changeRequests;
    const r = ask();
    const doc = t.server.runtime.flows.draft('f');
    t.server.runtime.flows.updateDraft('f', { ...doc, name: 'renamed' });
    let published = false;
    const attempt = () => requests.approve(r.id, 'consultant@example.com', () => ((published = true), { version: 99 }));
    expect(attempt).toThrow(ChangeRequestConflict);
    expect(attempt).toThrow(/the draft of flow "f" was changed after this request/);
    expect(published).toBe(false);
    expect(requests.get(r.id).status).toBe('pending');
  });

  it('keeps the dry run error with the request when the dry run could not run', () => {
    const r = t.server.deps.changeRequests.get(ask().id);
    expect(r).toMatchObject({ dryRun: null, dryRunError: 'no events', dryRunSummary: null, baseVersion: 1 });
  });
});
