import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';
import { shopifyTrigger } from '../../nodes/shopify/trigger.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true });
});
afterEach(() => t.close());

const adder = (n = 1) =>
  flow(
    'f1',
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'a', type: 'test.add', config: { n } },
    ],
    ['t->a'],
  );

describe('/api/flows', () => {
  it('creates, lists, reads and autosaves a draft (incomplete drafts accepted)', async () => {
    const tok = t.tokens.consultant;
    const created = await t.json('POST', '/api/flows', { token: tok, body: adder() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'f1', name: 'f1', active: false, activeVersion: null, latestVersion: null });
    expect((await t.json('POST', '/api/flows', { token: tok, body: adder() })).status).toBe(409);
    const put = await t.json('PUT', '/api/flows/f1/draft', { token: tok, body: { id: 'f1', name: 'renamed', nodes: [{ id: 'half' }] } });
    expect(put.status).toBe(200);
    expect(put.body.name).toBe('renamed');
    const got = await t.json('GET', '/api/flows/f1', { token: tok });
    expect(got.body.draft.nodes).toEqual([{ id: 'half' }]);
    const list = await t.json('GET', '/api/flows', { token: t.tokens.viewer });
    expect(list.body.flows.map((f: { id: string }) => f.id)).toEqual(['f1']);
    expect(list.body.flows[0]).not.toHaveProperty('description');
    // The description is the draft's, on the list and on the single read.
    await t.json('PUT', '/api/flows/f1/draft', {
      token: tok,
      body: { id: 'f1', name: 'renamed', description: 'Posts paid orders to the ERP.', nodes: [{ id: 'half' }] },
    });
    expect((await t.json('GET', '/api/flows', { token: tok })).body.flows[0].description).toBe('Posts paid orders to the ERP.');
    expect((await t.json('GET', '/api/flows/f1', { token: tok })).body.flow.description).toBe('Posts paid orders to the ERP.');
    const v = await t.json('POST', '/api/flows/f1/validate', { token: tok });
    expect(v.body.valid).toBe(false);
    expect(v.body.problems[0]).toHaveProperty('path');
    expect((await t.json('GET', '/api/flows/nope', { token: tok })).status).toBe(404);
  });

  it('publishes immutable versions, refuses invalid drafts with problems, diffs, rolls back and activates', async () => {
    const tok = t.tokens.consultant;
    await t.json('POST', '/api/flows', { token: tok, body: adder(1) });
    const v1 = await t.json('POST', '/api/flows/f1/publish', { token: tok, body: { message: 'first' } });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ version: 1, message: 'first', createdBy: 'consultant@example.com' });
    const bad = adder(1);
    bad.nodes[1]!.config = { n: 'two' as unknown as number };
    await t.json('PUT', '/api/flows/f1/draft', { token: tok, body: bad });
    const refused = await t.json('POST', '/api/flows/f1/publish', { token: tok, body: { message: 'broken' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.problems[0]).toMatchObject({ where: 'a', path: '$.nodes[1].config.n' });
    const two = adder(2);
    two.nodes.push({ id: 'b', type: 'test.add', config: { n: 3 }, position: { x: 0, y: 0 } });
    two.edges.push({ id: 'e9', source: 'a', target: 'b' });
    await t.json('PUT', '/api/flows/f1/draft', { token: tok, body: two });
    expect((await t.json('POST', '/api/flows/f1/publish', { token: tok, body: { message: 'second' } })).body.version).toBe(2);
    const versions = await t.json('GET', '/api/flows/f1/versions', { token: tok });
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const one = await t.json('GET', '/api/flows/f1/versions/1', { token: tok });
    expect(one.body.definition.nodes[1].config).toEqual({ n: 1 });
    const diff = await t.json('GET', '/api/flows/f1/diff?from=1&to=2', { token: tok });
    expect(diff.body).toEqual({ nodes: { added: ['b'], removed: [], changed: [{ id: 'a', fields: ['config.n'] }] }, edges: { added: ['e9'], removed: [] } });
    const rb = await t.json('POST', '/api/flows/f1/rollback', { token: tok, body: { version: 1 } });
    expect(rb.status).toBe(201);
    expect(rb.body.version).toBe(3);
    expect((await t.json('GET', '/api/flows/f1/diff?from=1&to=3', { token: tok })).body.nodes).toEqual({ added: [], removed: [], changed: [] });
    const act = await t.json('POST', '/api/flows/f1/activate', { token: tok, body: { version: 2 } });
    expect(act.body).toMatchObject({ active: true, activeVersion: 2 });
    const de = await t.json('POST', '/api/flows/f1/deactivate', { token: tok });
    expect(de.body.active).toBe(false);
    const audit = await t.json('GET', '/api/audit?limit=50', { token: t.tokens.owner });
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['flow.create', 'flow.draft.update', 'flow.publish', 'flow.rollback', 'flow.activate', 'flow.deactivate']));
  });

  it('exports as an attachment and imports (create, then update of the draft)', async () => {
    const tok = t.tokens.owner;
    const imp = await t.json('POST', '/api/flows/import', { token: tok, body: adder(5) });
    expect(imp.status).toBe(201);
    const again = await t.json('POST', '/api/flows/import', { token: tok, body: { ...adder(6), name: 'second import' } });
    expect(again.body.name).toBe('second import');
    const res = await t.req('GET', '/api/flows/f1/export', { token: tok });
    expect(res.headers.get('content-disposition')).toContain('attachment; filename="f1.json"');
    expect((await res.json()).nodes[1].config).toEqual({ n: 6 });
  });

  it('test-runs the draft (whole, or up to one node) without publishing it', async () => {
    const tok = t.tokens.consultant;
    const doc = flow(
      'f1',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
        { id: 'b', type: 'test.add', config: { n: 10 } },
      ],
      ['t->a', 'a->b'],
    );
    await t.json('POST', '/api/flows', { token: tok, body: doc });
    const run = await t.json('POST', '/api/flows/f1/test', { token: tok, body: { event: { value: 1 } } });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('succeeded');
    expect(run.body.flowId).toBe('f1');
    expect(run.body.steps.map((s: { output: unknown }) => s.output)).toEqual([{ value: 1 }, { value: 2 }, { value: 12 }]);
    const partial = await t.json('POST', '/api/flows/f1/test', { token: tok, body: { event: { value: 1 }, nodeId: 'a' } });
    expect(partial.body.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['t', 'a']);
    // The hidden test copy is nobody's flow: its runbook is 404 like everything else about it.
    expect((await t.server.runtime.flows.list()).some((f) => f.id === '__test.f1')).toBe(true);
    expect((await t.json('GET', '/api/runbooks/__test.f1', { token: tok })).status).toBe(404);
    expect((await t.json('GET', '/api/flows/__test.f1', { token: tok })).status).toBe(404);
    const summary = (await t.json('GET', '/api/flows/f1', { token: tok })).body.flow;
    expect(summary.latestVersion).toBeNull();
    expect((await t.json('GET', '/api/flows', { token: tok })).body.flows).toHaveLength(1);
  });

  it('lets the client role change mapping data and publish, but not structure or code', async () => {
    const doc = flow(
      'm',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'test.map', config: { fields: { a: '1' } } },
        { id: 'add', type: 'test.add', config: { n: 1 } },
      ],
      ['t->map', 'map->add'],
    );
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: doc });
    // Nothing published yet: a client may not touch it.
    expect((await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: doc })).status).toBe(403);
    await t.json('POST', '/api/flows/m/publish', { token: t.tokens.consultant, body: { message: 'v1' } });

    const mapping = structuredClone(doc);
    mapping.nodes[1]!.config = { fields: { a: '2', b: 'new' } };
    mapping.nodes[2]!.position = { x: 999, y: 1 };
    const ok = await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: mapping });
    expect(ok.status).toBe(200);
    expect((await t.json('POST', '/api/flows/m/publish', { token: t.tokens.client, body: { message: 'client mapping' } })).status).toBe(201);

    const structural = structuredClone(mapping);
    structural.edges = [];
    const r1 = await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: structural });
    expect(r1.status).toBe(403);
    expect(r1.body.error.problems[0].path).toBe('$.edges');
    const other = structuredClone(mapping);
    other.nodes[2]!.config = { n: 5 };
    const r2 = await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: other });
    expect(r2.status).toBe(403);
    expect(r2.body.error.problems[0]).toMatchObject({ where: 'add', path: '$.nodes[2].config.n' });
    const code = structuredClone(mapping);
    code.nodes[1]!.config = { ...code.nodes[1]!.config, expression: 'input.x' };
    expect((await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.client, body: code })).status).toBe(403);
    // A consultant's structural draft cannot be published by a client.
    await t.json('PUT', '/api/flows/m/draft', { token: t.tokens.consultant, body: structural });
    expect((await t.json('POST', '/api/flows/m/publish', { token: t.tokens.client, body: { message: 'x' } })).status).toBe(403);
    const audit = (await t.json('GET', '/api/audit', { token: t.tokens.owner })).body.entries;
    expect(audit.find((e: { action: string }) => e.action === 'flow.mapping.edit')).toMatchObject({ actor: 'client@example.com', target: 'flow:m' });
  });

  it('refuses a client draft that is not a well-formed flow before the client-edit diff (numeric ids, id-less edges, duplicates, string config)', async () => {
    const doc = flow(
      'mc',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'test.map', config: { fields: { a: '1' } } },
        { id: 'add', type: 'test.add', config: { n: 1 } },
      ],
      ['t->map', 'map->add'],
    );
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: doc });
    await t.json('POST', '/api/flows/mc/publish', { token: t.tokens.consultant, body: { message: 'v1' } });
    const attacks: Array<[string, (d: any) => void]> = [
      ['numeric node id', (d) => d.nodes.push({ id: 5, type: 'test.add', position: { x: 0, y: 0 }, config: { n: 9 } })],
      ['id-less edge', (d) => d.edges.push({ source: 'add', target: 't' })],
      ['duplicate node id', (d) => d.nodes.push({ ...d.nodes[2], config: { n: 100 } })],
      ['string config', (d) => (d.nodes[2].config = 'return 1')],
    ];
    for (const [what, change] of attacks) {
      const bad = structuredClone(doc) as any;
      change(bad);
      const r = await t.json('PUT', '/api/flows/mc/draft', { token: t.tokens.client, body: bad });
      expect(r.status, what).toBe(422);
      expect(r.body.error.code, what).toBe('invalid_flow');
    }
    expect((await t.json('GET', '/api/flows/mc', { token: t.tokens.owner })).body.draft).toEqual(doc);
  });

  it('refuses a flow document nested deeper than the stated limit with 400, not 500', async () => {
    // Written as text: JSON.stringify itself would overflow on 5,000 levels.
    const raw = JSON.stringify(flow('deep', [{ id: 't', type: 'trigger.manual' }], [])).replace(
      /}$/,
      `,"settings":${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}}`,
    );
    const headers = { authorization: `Bearer ${t.tokens.owner}`, 'content-type': 'application/json' };
    const r = await t.req('POST', '/api/flows', { raw, headers });
    expect(r.status).toBe(400);
    expect((await r.json()).error.message).toMatch(/\$\.settings\.a\.a.*more than 64 levels/);
    await t.json('POST', '/api/flows', { token: t.tokens.owner, body: flow('deep', [{ id: 't', type: 'trigger.manual' }], []) });
    expect((await t.req('PUT', '/api/flows/deep/draft', { raw, headers })).status).toBe(400);
    expect((await t.req('POST', '/api/flows/import', { raw, headers })).status).toBe(400);
  });

  it('answers bad input with the contract error shape naming the field', async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.owner, body: adder() });
    const r = await t.json('POST', '/api/flows/f1/rollback', { token: t.tokens.owner, body: { version: 'x' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect(r.body.error.problems[0].path).toBe('$.version');
    const notJson = await t.req('POST', '/api/flows', { token: t.tokens.owner, raw: '{oops', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.code).toBeTruthy();
  });

  it('validate and publish refuse a connection of the wrong kind (the ERP on the Shopify trigger), naming node, field and kinds', async () => {
    await t.close();
    t = await testServer({ withRoles: true, extraNodes: [shopifyTrigger] });
    const tok = t.tokens.consultant;
    await t.server.deps.connections.create({
      id: 'main-shop',
      kind: 'shopify',
      provider: 'shopify',
      name: 'Main shop',
      config: { shopDomain: 'main.myshopify.com' },
    });
    await t.server.deps.connections.create({ id: 'main-erp', kind: 'erp', provider: 'sandbox', name: 'Main ERP', config: {} });
    const doc = (connection: string) =>
      flow(
        'wrong-kind',
        [
          { id: 'shopify', type: 'shopify.trigger', config: { connection, topic: 'orders/paid' } },
          { id: 'a', type: 'test.add', config: { n: 1 } },
        ],
        ['shopify->a'],
      );
    await t.json('POST', '/api/flows', { token: tok, body: doc('main-erp') });
    const v = await t.json('POST', '/api/flows/wrong-kind/validate', { token: tok });
    expect(v.body).toEqual({
      valid: false,
      problems: [
        {
          where: 'shopify',
          path: '$.nodes[0].config.connection',
          message: '"main-erp" is an ERP connection; this node takes a Shopify connection (main-shop)',
        },
      ],
    });
    const refused = await t.json('POST', '/api/flows/wrong-kind/publish', { token: tok, body: { message: 'wrong' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.problems[0]).toMatchObject({ where: 'shopify', path: '$.nodes[0].config.connection' });
    expect((await t.json('GET', '/api/flows/wrong-kind', { token: tok })).body.flow.latestVersion).toBeNull();
    // A connection this server does not have (a flow imported from another install): named, with the ones it has.
    await t.json('PUT', '/api/flows/wrong-kind/draft', { token: tok, body: doc('acme-shop') });
    expect((await t.json('POST', '/api/flows/wrong-kind/validate', { token: tok })).body).toEqual({
      valid: false,
      problems: [
        {
          where: 'shopify',
          path: '$.nodes[0].config.connection',
          message: 'there is no connection "acme-shop" here; this node takes a Shopify connection (main-shop)',
        },
      ],
    });
    expect((await t.json('POST', '/api/flows/wrong-kind/publish', { token: tok, body: { message: 'unknown' } })).status).toBe(422);
    await t.json('PUT', '/api/flows/wrong-kind/draft', { token: tok, body: doc('main-shop') });
    expect((await t.json('POST', '/api/flows/wrong-kind/validate', { token: tok })).body).toEqual({ valid: true, problems: [] });
    expect((await t.json('POST', '/api/flows/wrong-kind/publish', { token: tok, body: { message: 'right' } })).status).toBe(201);
  });

  it('validate and publish parse the code: a typo in a code node or a branch condition is a problem on its node and field, nothing goes live', async () => {
    const tok = t.tokens.consultant;
    const doc = (code: string, condition: string) =>
      flow(
        'typo',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'calc', type: 'core.code', config: { code } },
          { id: 'big', type: 'core.branch', config: { condition } },
        ],
        ['t->calc', 'calc->big'],
      );
    expect((await t.json('POST', '/api/flows', { token: tok, body: doc('const total = input.total +;\nreturn { total }', 'input.total >') })).status).toBe(201);
    expect((await t.json('POST', '/api/flows/typo/validate', { token: tok })).body).toEqual({
      valid: false,
      problems: [
        { where: 'calc', path: '$.nodes[1].config.code', message: "SyntaxError: Unexpected token ';' (line 1, column 28)" },
        {
          where: 'big',
          path: '$.nodes[2].config.condition',
          message: "SyntaxError: Unexpected token ')' (the code ends before it is complete) (line 1, column 14)",
        },
      ],
    });
    const refused = await t.json('POST', '/api/flows/typo/publish', { token: tok, body: { message: 'typo' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.problems.map((p: { where: string }) => p.where)).toEqual(['calc', 'big']);
    expect((await t.json('GET', '/api/flows/typo', { token: tok })).body.flow.latestVersion).toBeNull();
    await t.json('PUT', '/api/flows/typo/draft', { token: tok, body: doc('const total = input.total + 1;\nreturn { total }', 'input.total > 10') });
    expect((await t.json('POST', '/api/flows/typo/publish', { token: tok, body: { message: 'fixed' } })).status).toBe(201);
  });
});
