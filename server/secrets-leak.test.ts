// Plants a secret in a connection, runs a flow whose node echoes it, and greps everything that leaves the server
// (API responses, logs) for it. Stored step outputs are the runtime's; the API must still never return them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from './testing.ts';
import { rawRows } from '../runtime/testing/raw.ts';

const PLANTED = 'planted-secret-9f8e7d6c5b4a';
let t: TestServer;
beforeEach(async () => {
  t = await testServer({ connectionFactories: { 'erp:leaky': { create: (c) => ({ token: c.secrets.password }) } } });
});
afterEach(() => t.close());

describe('secrets', () => {
  it('never appear in API responses or logs, even when a node outputs one', async () => {
    const tok = t.tokens.owner;
    await t.json('POST', '/api/connections', {
      token: tok,
      body: { id: 'leak', kind: 'erp', provider: 'leaky', name: 'Leaky', config: {}, secrets: { password: PLANTED } },
    });
    await t.json('POST', '/api/flows', {
      token: tok,
      body: flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'l', type: 'test.leaky', config: { connectionId: 'leak' } },
        ],
        ['t->l'],
      ),
    });
    const test = await t.req('POST', '/api/flows/f/test', { token: tok, body: { event: { x: 1 } } });
    const testText = await test.text();
    expect(JSON.parse(testText).status).toBe('succeeded');
    expect(JSON.parse(testText).steps[1].output).toEqual({ token: '[redacted]' });
    const bodies = [testText];
    for (const path of ['/api/runs', '/api/connections', '/api/audit', '/api/events', `/api/runs/${JSON.parse(testText).runId}`])
      bodies.push(await (await t.req('GET', path, { token: tok })).text());
    for (const b of bodies) expect(b).not.toContain(PLANTED);
    expect(t.logs.join('')).not.toContain(PLANTED);
    const rows = await rawRows(t.server.runtime.store, 'SELECT * FROM connections');
    expect(JSON.stringify(rows)).not.toContain(PLANTED);
  });
});
