import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from './testing.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer();
});
afterEach(() => t.close());

describe('scheduler', () => {
  it('arms active schedule flows, follows activation changes, and fires each scheduled time once', async () => {
    const tok = t.tokens.owner;
    await t.json('POST', '/api/flows', { token: tok, body: flow('nightly', [{ id: 't', type: 'trigger.schedule', config: { cron: '0 2 * * *', timezone: 'Europe/Berlin' } }, { id: 'a', type: 'test.add', config: { n: 0 } }], ['t->a']) });
    await t.json('POST', '/api/flows/nightly/publish', { token: tok, body: { message: 'v1' } });
    expect(t.server.scheduler.armed).toEqual([]);
    await t.json('POST', '/api/flows/nightly/activate', { token: tok, body: {} });
    expect(t.server.scheduler.armed).toEqual(['nightly']);
    const at = new Date('2026-11-27T01:00:00.000Z');
    const a = t.server.scheduler.fire('nightly', 1, 'Europe/Berlin', undefined, at);
    const b = t.server.scheduler.fire('nightly', 1, 'Europe/Berlin', undefined, at);
    expect(a?.runIds).toHaveLength(1);
    expect(b?.duplicate).toBe(true);
    await t.server.runtime.drain();
    const run = t.server.runtime.runs.get(a!.runIds[0]!);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]?.output).toMatchObject({ scheduledFor: '2026-11-27T01:00:00.000Z', timezone: 'Europe/Berlin' });
    await t.json('POST', '/api/flows/nightly/deactivate', { token: tok });
    expect(t.server.scheduler.armed).toEqual([]);
  });
});
