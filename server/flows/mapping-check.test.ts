import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true });
});
afterEach(() => t.close());

const doc = (fields: unknown[]) =>
  flow('m', [{ id: 't', type: 'trigger.manual' }, { id: 'map', type: 'core.map', config: { fields } }, { id: 'add', type: 'test.add', config: { n: 1 } }], ['t->map', 'map->add']);

describe('mappings checked on their node’s real input', () => {
  it('lists the node’s input from the latest test run as its sample', async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: doc([{ target: 'value', source: { kind: 'path', path: 'amount' } }]) });
    const run = await t.json('POST', '/api/flows/m/test', { token: t.tokens.consultant, body: { input: { kind: 'payload', body: { amount: 41 } } } });
    expect(run.body.status).toBe('succeeded');
    const s = await t.json('GET', '/api/flows/m/nodes/map/samples', { token: t.tokens.client });
    expect(s.body.samples[0]).toMatchObject({ id: run.body.runId, kind: 'test', value: { amount: 41 }, trigger: { amount: 41 } });
    expect((await t.json('GET', '/api/flows/m/nodes/nope/samples', { token: t.tokens.client })).status).toBe(404);
  });

  it('refuses to validate or publish a mapping whose preview fails on that input, naming the target', async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: doc([{ target: 'value', source: { kind: 'path', path: 'amount' } }]) });
    await t.json('POST', '/api/flows/m/test', { token: t.tokens.consultant, body: { input: { kind: 'payload', body: { amount: 41 } } } });
    await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.consultant, body: doc([{ target: 'value', source: { kind: 'path', path: 'total' } }]) });
    const v = await t.json('POST', '/api/flows/m/validate', { token: t.tokens.consultant });
    expect(v.body.valid).toBe(false);
    expect(v.body.problems[0]).toMatchObject({ where: 'map', path: '$.nodes[1].config.fields' });
    expect(v.body.problems[0].message).toMatch(/^On the input of test run run_\S+, "value" fails: /);
    const p = await t.json('POST', '/api/flows/m/publish', { token: t.tokens.consultant, body: { message: 'x' } });
    expect(p.status).toBe(422);
    expect((await t.json('GET', '/api/flows/m', { token: t.tokens.consultant })).body.flow.latestVersion).toBeNull();
    await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.consultant, body: doc([{ target: 'value', source: { kind: 'path', path: 'amount' } }]) });
    expect((await t.json('POST', '/api/flows/m/publish', { token: t.tokens.consultant, body: { message: 'ok' } })).status).toBe(201);
  });
});
