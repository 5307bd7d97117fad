import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CONNECTION_KIND,
  MAX_DEPTH,
  SANDBOX_CODE,
  connectionKindProblems,
  connectionRefs,
  formatProblem,
  markedValues,
  structureProblems,
  validateFlow,
} from './validate.ts';
import type { NodeTypeSpec } from './node-spec.ts';
import { CONNECTION_KIND as NODE_API_CONNECTION_KIND, connectionKindMeta } from '../runtime/node-api.ts';
import { migrateFlow } from './migrate.ts';
import { getNodeType } from '../nodes/registry.ts';
import { flow } from '../runtime/testing/fixtures.ts';
import { parseSandboxCode } from '../runtime/sandbox/syntax.ts';

const problemsOf = (doc: unknown) => {
  const r = validateFlow(doc, getNodeType);
  return r.problems.map((p) => `${p.where} ${p.path}: ${p.message}`);
};

describe('validateFlow', () => {
  it('accepts a valid flow', () => {
    const r = validateFlow(
      flow(
        'ok',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'c', type: 'core.code', config: { code: 'return input' } },
        ],
        ['t->c'],
      ),
      getNodeType,
    );
    expect(r.ok).toBe(true);
  });

  it('reports every problem with the node or edge id and the JSON path', () => {
    const doc = flow(
      'bad',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 't2', type: 'trigger.webhook' },
        { id: 'c', type: 'core.code', config: { code: '' } },
        { id: 'c', type: 'core.code', config: { code: 'return 1' } },
        { id: 'x', type: 'core.nope' },
        { id: 'b', type: 'core.branch', config: { condition: 'input.ok' } },
        { id: 'lonely', type: 'core.code', config: { code: 'return 1' } },
      ],
      ['t->c', 'c->missing', 't->b', 'b:maybe->c', 'b->c', 'c->t'],
    );
    const problems = problemsOf(doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        't2 $.nodes[1]: more than one trigger: "t" already starts this flow',
        'c $.nodes[2].config.code: The Code node needs a code',
        'c $.nodes[3].id: duplicate node id "c" (also at $.nodes[2])',
        'x $.nodes[4].type: unknown node type "core.nope"',
        'e1 $.edges[1].target: edge target "missing" is not a node of this flow',
        'e3 $.edges[3].sourceHandle: node "b" (core.branch) has no output port "maybe"; ports: true, false',
        'e4 $.edges[4].sourceHandle: node "b" (core.branch) has several output ports (true, false); say which one',
        'e5 $.edges[5].target: node "t" (trigger.manual) takes no input: a trigger starts the flow',
        'lonely $.nodes[6]: node "lonely" is unreachable from the trigger "t": no edge leads into it (connect it to the node before it)',
      ]),
    );
  });

  it('names the broken link of a chain cut off from the trigger: the node nothing leads into, and those after it', () => {
    const doc = flow(
      'cut',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'core.code', config: { code: 'return 1' } },
        { id: 'b', type: 'core.code', config: { code: 'return 1' } },
        { id: 'c', type: 'core.code', config: { code: 'return 1' } },
      ],
      ['t->a', 'b->c'],
    );
    expect(problemsOf(doc)).toEqual([
      'b $.nodes[2]: node "b" is unreachable from the trigger "t": no edge leads into it (connect it to the node before it)',
      'c $.nodes[3]: node "c" is unreachable from the trigger "t": it comes after "b", which is not reached either',
    ]);
  });

  it('finds cycles', () => {
    const doc = flow(
      'cyc',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'core.code', config: { code: 'return 1' } },
        { id: 'b', type: 'core.code', config: { code: 'return 1' } },
      ],
      ['t->a', 'a->b', 'b->a'],
    );
    expect(problemsOf(doc)).toContain('a $.nodes[1]: cycle: a -> b -> a');
  });

  it('says when there is no trigger', () => {
    expect(problemsOf(flow('nt', [{ id: 'a', type: 'core.code', config: { code: 'return 1' } }], []))).toContain(
      'flow $.nodes: the flow has no trigger node: add one to start it (Shopify event, Schedule, Webhook or Manual trigger)',
    );
  });

  it('names the element even when its shape is wrong', () => {
    const doc = { schemaVersion: 1, id: 'f', name: 'f', nodes: [{ id: 'n1', type: 'trigger.manual' }], edges: [{ id: 'e9', source: 'n1' }] };
    expect(problemsOf(doc)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^n1 \$\.nodes\[0\]\.position: /), expect.stringMatching(/^e9 \$\.edges\[0\]\.target: /)]),
    );
  });

  it('checks cron expressions and timezones of schedule triggers', () => {
    const doc = flow('s', [{ id: 's', type: 'trigger.schedule', config: { cron: 'every day', timezone: 'Mars/Base' } }], []);
    const p = problemsOf(doc);
    expect(p.some((x) => x.startsWith('s $.nodes[0].config.cron: The Schedule trigger: cron: invalid cron expression'))).toBe(true);
    expect(p).toContain('s $.nodes[0].config.timezone: The Schedule trigger: timezone: unknown IANA timezone');
  });
});

describe('migrateFlow', () => {
  it('upgrades old documents step by step and refuses newer ones', () => {
    const migrations = [{ from: 1, up: (d: Record<string, unknown>) => ({ ...d, edges: (d.connections as unknown[]) ?? [] }) }];
    const r = migrateFlow({ schemaVersion: 1, connections: [1] }, migrations, 2);
    expect(r).toMatchObject({ ok: true, from: 1, doc: { schemaVersion: 2, edges: [1] } });
    expect(migrateFlow({ schemaVersion: 3 }, migrations, 2)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/newer than this Ledgerline supports/),
    });
    expect(migrateFlow({ id: 'x' })).toMatchObject({ ok: false, message: expect.stringMatching(/schemaVersion must be an integer/) });
  });
});

describe('hostile documents', () => {
  const chain = (n: number) => ({
    schemaVersion: 1,
    id: 'long',
    name: 'long',
    nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: i === 0 ? 'trigger.manual' : 'core.noop', position: { x: 0, y: 0 }, config: {} })),
    edges: Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
  });

  it('validates a 20,000-node chain without overflowing the stack, and still finds a cycle closing it', () => {
    const lookup = (t: string) =>
      ({
        type: t,
        version: 1,
        config: { safeParse: (c: unknown) => ({ success: true, data: c }) },
        inputs: t === 'trigger.manual' ? [] : [{ id: 'in' }],
        outputs: [{ id: 'out' }],
        trigger: t === 'trigger.manual' ? 'manual' : undefined,
      }) as never;
    const doc = chain(20_000);
    expect(validateFlow(doc, lookup).problems).toEqual([]);
    doc.edges.push({ id: 'back', source: 'n19999', target: 'n1' });
    const r = validateFlow(doc, lookup);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toMatch(/^cycle: n1 -> n2 -> .* -> n19999 -> n1$/);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH} levels, naming where`, () => {
    const settings: Record<string, unknown> = {};
    let cur = settings;
    for (let i = 0; i < 5000; i++) cur = (cur.a = {}) as Record<string, unknown>;
    const r = validateFlow({ ...chain(1), settings }, () => undefined);
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ where: 'flow', message: expect.stringMatching(/more than 64 levels/) });
    expect(r.problems[0]?.path).toMatch(/^\$\.settings\.a\.a\./);
  });

  it('structureProblems: numeric ids, id-less edges, duplicate ids and a string config are each refused', () => {
    const base = chain(2);
    expect(structureProblems(base)).toEqual([]);
    const bad = (f: (d: any) => void) => {
      const d = JSON.parse(JSON.stringify(base));
      f(d);
      return structureProblems(d);
    };
    expect(bad((d) => (d.nodes[1].id = 7))[0]).toMatchObject({ path: '$.nodes[1].id' });
    expect(bad((d) => delete d.edges[0].id)[0]).toMatchObject({ path: '$.edges[0].id' });
    expect(bad((d) => d.nodes.push({ ...d.nodes[1] }))[0]).toMatchObject({
      where: 'n1',
      path: '$.nodes[2].id',
      message: expect.stringMatching(/duplicate node id/),
    });
    expect(bad((d) => (d.nodes[1].config = 'code'))[0]).toMatchObject({ where: 'n1', path: '$.nodes[1].config' });
  });
});

describe('connection kinds', () => {
  // The server's sandbox connections, as GET /api/connections lists them.
  const connections = [
    { id: 'sandbox-shop', kind: 'shopify' },
    { id: 'sandbox-erp', kind: 'erp' },
  ];
  const template = (id: string) => JSON.parse(readFileSync(new URL(`./templates/${id}.json`, import.meta.url), 'utf8'));
  const withConnection = (doc: any, nodeId: string, key: string, id: string) => {
    const node = doc.nodes.find((n: { id: string }) => n.id === nodeId);
    node.config[key] = id;
    return doc;
  };

  it('refuses the ERP connection on a Shopify trigger, naming the node, the field and both kinds', () => {
    const doc = withConnection(template('order-to-erp'), 'shopify', 'connection', 'sandbox-erp');
    expect(validateFlow(doc, getNodeType).ok).toBe(true); // without the host's connections nothing knows the kinds
    const r = validateFlow(doc, getNodeType, { connections });
    expect(r.ok).toBe(false);
    expect(r.problems.map(formatProblem)).toEqual([
      'shopify $.nodes[0].config.connection: "sandbox-erp" is an ERP connection; this node takes a Shopify connection (sandbox-shop)',
    ]);
  });

  it('refuses a Shopify connection on an ERP node', () => {
    const doc = withConnection(template('order-to-erp'), 'post', 'connection', 'sandbox-shop');
    const i = doc.nodes.findIndex((n: { id: string }) => n.id === 'post');
    const r = validateFlow(doc, getNodeType, { connections });
    expect(r.problems).toEqual([
      {
        where: 'post',
        path: `$.nodes[${i}].config.connection`,
        message: '"sandbox-shop" is a Shopify connection; this node takes an ERP connection (sandbox-erp)',
      },
    ]);
  });

  it('passes every template on the sandbox connections, and leaves ids it does not know alone', () => {
    const ids = readdirSync(new URL('./templates/', import.meta.url))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    expect(ids).toHaveLength(13);
    // Their code and expressions parse as the sandbox will run them, too.
    for (const id of ids) expect(validateFlow(template(id), getNodeType, { connections, codeSyntax: parseSandboxCode }).problems, id).toEqual([]);
    const unknown = withConnection(template('order-to-erp'), 'shopify', 'connection', 'main-shop');
    expect(validateFlow(unknown, getNodeType, { connections }).problems).toEqual([]);
  });

  it('declares the kind on the Shopify and ERP connection fields, under the key the node API gives them', () => {
    expect(NODE_API_CONNECTION_KIND).toBe(CONNECTION_KIND);
    const kinds = (type: string, config: unknown) => connectionRefs(getNodeType(type)!.config, config).map((r) => [r.path.join('.'), r.kind, r.id]);
    expect(kinds('shopify.trigger', { connection: 'a', topic: 'orders/paid' })).toEqual([['connection', 'shopify', 'a']]);
    expect(kinds('shopify.inventory-push', { connection: 'a' })).toEqual([['connection', 'shopify', 'a']]);
    expect(kinds('erp.post-sales-order', { connection: 'b' })).toEqual([['connection', 'erp', 'b']]);
    expect(kinds('erp.read-stock', { connection: 'b' })).toEqual([['connection', 'erp', 'b']]);
  });

  it('finds declared fields nested in objects, arrays, optional and union members, and names the field in the message', () => {
    const shop = z.string().meta(connectionKindMeta('shopify'));
    const erp = z.string().min(1).describe('ERP connection id').meta(connectionKindMeta('erp'));
    const config = z
      .object({
        connection: erp,
        shopifyConnection: shop.optional(),
        targets: z.array(z.object({ shop: shop.default('sandbox-shop') })).optional(),
        source: z.union([z.object({ kind: z.literal('erp'), erp }), z.object({ kind: z.literal('shop'), shop })]),
        other: z.string().optional(),
      })
      .strict();
    const spec: NodeTypeSpec = { type: 'test.both', version: 1, title: 'Both', config, inputs: [{ id: 'in' }], outputs: [] };
    const value = {
      connection: 'sandbox-erp',
      shopifyConnection: 'sandbox-erp',
      targets: [{ shop: 'sandbox-shop' }, { shop: 'sandbox-erp' }],
      source: { kind: 'shop', shop: 'sandbox-erp' },
      other: 'sandbox-erp',
    };
    expect(connectionRefs(config, value).map((r) => `${r.path.join('.')}:${r.kind}`)).toEqual([
      'connection:erp',
      'shopifyConnection:shopify',
      'targets.0.shop:shopify',
      'targets.1.shop:shopify',
      'source.shop:shopify',
    ]);
    const doc = flow('both', [{ id: 'n', type: 'test.both', config: value }], []);
    const parsed = validateFlow(doc, (t) => (t === spec.type ? spec : undefined)).flow!;
    expect(connectionKindProblems(parsed, (t) => (t === spec.type ? spec : undefined), connections).map(formatProblem)).toEqual([
      'n $.nodes[0].config.shopifyConnection: "sandbox-erp" is an ERP connection; its field shopifyConnection takes a Shopify connection (sandbox-shop)',
      'n $.nodes[0].config.targets[1].shop: "sandbox-erp" is an ERP connection; its field targets[1].shop takes a Shopify connection (sandbox-shop)',
      'n $.nodes[0].config.source.shop: "sandbox-erp" is an ERP connection; its field source.shop takes a Shopify connection (sandbox-shop)',
    ]);
  });
});

describe('finding the code in a config (markedValues)', () => {
  it('walks a recursive (lazy) schema without building it again per value, and picks a discriminated option by its tag', () => {
    let built = 0;
    const item: z.ZodType = z.lazy(() => {
      built++;
      return z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('expr'), expr: z.string().meta({ [SANDBOX_CODE]: 'expression' }) }),
        z.object({ kind: z.literal('each'), fields: z.array(item) }),
        z.object({ kind: z.literal('path'), path: z.string() }),
      ]);
    });
    const config = {
      fields: [
        ...Array.from({ length: 50 }, (_, i) => ({ kind: 'expr', expr: `input.a${i}` })),
        {
          kind: 'each',
          fields: [
            { kind: 'expr', expr: 'item.b' },
            { kind: 'path', path: 'c' },
          ],
        },
        // An option that does not parse (the expression is missing its text) is still the one its tag names.
        { kind: 'expr', expr: 7 },
      ],
    };
    const found = markedValues(z.object({ fields: z.array(item) }), config, SANDBOX_CODE);
    expect(found).toHaveLength(51);
    expect(found.at(-1)).toEqual({ path: ['fields', 50, 'fields', 0, 'expr'], mark: 'expression', value: 'item.b' });
    // Built once: a schema built per mapped field (and compiled by zod on its first parse) made validating
    // order-to-erp's mapping take ≈ 74 ms.
    expect(built).toBe(1);
  });
});
