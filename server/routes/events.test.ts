import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true });
  const rt = t.server.runtime;
  for (const id of ['f', 'g']) {
    await rt.flows.create(flow(id, [{ id: 't', type: 'trigger.manual' }], []));
    await rt.flows.publish(id, { activate: true });
  }
});
afterEach(() => t.close());

describe('/api/events', () => {
  it('lists deliveries, each with the runs it started (none for one no flow wanted), and shows one with its payload', async () => {
    const rt = t.server.runtime;
    const both = await rt.queue.ingest({
      source: 'manual',
      payload: { n: 1 },
      targets: [
        { flowId: 'f', version: 1 },
        { flowId: 'g', version: 1 },
      ],
    });
    const one = await rt.queue.ingest({ source: 'manual', payload: { n: 2 }, targets: [{ flowId: 'g', version: 1 }] });
    const none = await rt.queue.ingest({ source: 'manual', payload: { n: 3 }, targets: [] });
    await rt.queue.ingest({ source: 'test', payload: { n: 4 }, targets: [] });
    const tok = t.tokens.operator;

    const list = await t.json('GET', '/api/events', { token: tok });
    expect(list.status).toBe(200);
    const byId = new Map(list.body.events.map((e: { eventId: string; runIds: string[] }) => [e.eventId, [...e.runIds].sort()]));
    expect(byId.get(both.eventId)).toEqual([...both.runIds].sort());
    expect(byId.get(one.eventId)).toEqual(one.runIds);
    expect(byId.get(none.eventId)).toEqual([]);
    // Test runs' inputs only when asked for.
    expect(list.body.events).toHaveLength(3);
    expect((await t.json('GET', '/api/events?source=test', { token: tok })).body.events).toHaveLength(1);
    expect((await t.json('GET', '/api/events?limit=1', { token: tok })).body.events).toHaveLength(1);

    const detail = await t.json('GET', `/api/events/${both.eventId}`, { token: tok });
    expect(detail.body).toMatchObject({ eventId: both.eventId, source: 'manual', payload: { n: 1 } });
    expect([...detail.body.runIds].sort()).toEqual([...both.runIds].sort());
    expect((await t.json('GET', '/api/events/nope', { token: tok })).status).toBe(404);
  });
});
