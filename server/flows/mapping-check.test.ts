import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true });
});
afterEach(() => t.close());

const doc = (fields: unknown[]) =>
  flow(
    'm',
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'map', type: 'core.map', config: { fields } },
      { id: 'add', type: 'test.add', config: { n: 1 } },
    ],
    ['t->map', 'map->add'],
  );

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

  it('gives a node behind another step that step’s output from runs, the latest succeeded first among production runs, with status, time and the trigger', async () => {
    // trigger -> enrich (adds a warehouse) -> map: the trigger's output lacks the warehouse the map reads.
    const enriched = flow(
      'e',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'enrich', type: 'test.map', config: { fields: { warehouse: 'WH-1' } } },
        {
          id: 'map',
          type: 'core.map',
          config: {
            fields: [
              { target: 'wh', source: { kind: 'path', path: 'warehouse' } },
              { target: 'ref', source: { kind: 'path', path: '$trigger.ref' } },
            ],
          },
        },
      ],
      ['t->enrich', 'enrich->map'],
    );
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: enriched });
    expect((await t.json('POST', '/api/flows/e/publish', { token: t.tokens.consultant, body: { message: 'v1' } })).status).toBe(201);
    const rt = t.server.runtime;
    const ok = (await rt.queue.ingest({ source: 'manual', payload: { ref: 'A-1' }, targets: [{ flowId: 'e', version: 1 }] })).runIds[0]!;
    await rt.drain(10_000);
    expect((await rt.runs.get(ok)).status).toBe('succeeded');
    const s = (await t.json('GET', '/api/flows/e/nodes/map/samples', { token: t.tokens.client })).body.samples;
    expect(s).toHaveLength(1); // not right after the trigger: no trigger example offered as its input
    expect(s[0]).toMatchObject({
      id: ok,
      kind: 'run',
      status: 'succeeded',
      at: expect.any(Number),
      value: { ref: 'A-1', warehouse: 'WH-1' },
      trigger: { ref: 'A-1' },
    });
    // Previewed on that input (and its trigger) the mapping is clean; on the trigger's output it is not.
    const config = enriched.nodes[2]!.config;
    const onInput = await t.json('POST', '/api/mapping/preview', {
      token: t.tokens.client,
      body: { config, sample: s[0].value, trigger: s[0].trigger, flowId: 'e' },
    });
    expect(onInput.body).toMatchObject({ ok: true, output: { wh: 'WH-1', ref: 'A-1' } });
    const onTrigger = await t.json('POST', '/api/mapping/preview', { token: t.tokens.client, body: { config, sample: s[0].trigger, flowId: 'e' } });
    expect(onTrigger.body.ok).toBe(false);
    expect(JSON.stringify(onTrigger.body.problems)).toContain('warehouse');

    // A test run executing the map alone with its upstream pinned is offered first and says so.
    const pinnedRun = await t.json('POST', '/api/flows/e/test', { token: t.tokens.consultant, body: { nodeId: 'map', pinFrom: ok } });
    expect(pinnedRun.status).toBe(200);
    const again = (await t.json('GET', '/api/flows/e/nodes/map/samples', { token: t.tokens.client })).body.samples;
    expect(again[0]).toMatchObject({ id: pinnedRun.body.runId, kind: 'test', pinned: true, value: { warehouse: 'WH-1' } });
    expect(again[1]).toMatchObject({ id: ok, kind: 'run', status: 'succeeded' });
  });
});
