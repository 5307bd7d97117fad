// The sandbox store's bulk operations against Shopify's rules: query restrictions, JSONL with __parentId, staged
// uploads, bulk mutations with per-line results, the modelled status sequence and timing, five at a time, failures,
// cancelation and the bulk_operations/finish webhook.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, validate } from 'graphql';
import { createShopifyConnection, type ShopifyClient } from '../client.ts';
import { runBulkMutation, runBulkQuery, type BulkMutationLine } from '../bulk-client.ts';
import type { BulkInventorySetQuantitiesMutation } from '../admin-types.generated.ts';
import {
  BULK_DOCUMENTS,
  BULK_INVENTORY_LEVELS,
  BULK_INVENTORY_SET,
  BULK_OPERATION,
  BULK_QUERY_TEXTS,
  BULK_RUN_MUTATION,
  BULK_RUN_QUERY,
  type BulkInventoryLevelsLine,
  STAGED_UPLOADS_CREATE,
  BULK_CANCEL,
} from '../bulk-documents.ts';
import { loadAdminSchema } from '../schema.ts';
import { signWebhook } from './webhooks.ts';
import { startShopifySandbox, type SandboxStore } from './server.ts';
import type { Scenario } from './state.ts';
import { present } from '../testing.ts';

const scenario: Scenario = {
  locations: [
    { id: 1, name: 'Leeds' },
    { id: 2, name: 'London' },
    { id: 3, name: 'Closed', active: false },
  ],
  products: [
    {
      id: 10,
      title: 'Tee',
      variants: [
        { id: 100, title: 'S', sku: 'TEE-S', inventoryItemId: 1000 },
        { id: 101, title: 'M', sku: 'TEE-M', inventoryItemId: 1001 },
      ],
    },
    { id: 11, title: 'Mug', variants: [{ id: 110, sku: 'MUG', inventoryItemId: 1100 }] },
  ],
  inventory: [
    { inventoryItemId: 1000, locationId: 1, available: 5 },
    { inventoryItemId: 1000, locationId: 2, available: 6 },
    { inventoryItemId: 1001, locationId: 1, available: 7 },
    { inventoryItemId: 1100, locationId: 2, available: 8 },
  ],
};

let shop: SandboxStore;
let client: ShopifyClient;
let hook: Server;
const received: { topic: string; body: string; hmacOk: boolean }[] = [];
// Waits between polls run on the store's modelled clock (timeScale 1000: a modelled second is a real ms).
const fast = (ms: number) => new Promise<void>((r) => setTimeout(r, ms / shop.bulk.timeScale));
const slower = async <T>(scale: number, f: () => Promise<T>): Promise<T> => {
  shop.bulk.timeScale = scale;
  try {
    return await f();
  } finally {
    shop.bulk.timeScale = 1000;
  }
};

beforeAll(async () => {
  shop = await startShopifySandbox({ seed: scenario, bulk: { timeScale: 1000, queryObjectsPerSecond: 2, mutationObjectsPerSecond: 100, startupSeconds: 2 } });
  client = createShopifyConnection({
    shopDomain: shop.shopDomain,
    endpoint: shop.url,
    auth: { kind: 'access-token', accessToken: shop.accessToken },
    sleep: fast,
  });
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({
        topic: String(req.headers['x-shopify-topic']),
        body,
        hmacOk: req.headers['x-shopify-hmac-sha256'] === signWebhook(shop.webhookSecret, body),
      });
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  shop.setWebhookTarget(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/`);
});
afterAll(async () => {
  await shop.stop();
  hook.close();
});

describe('bulk documents', () => {
  it('are valid against the 2026-10 schema, bulk query texts included', () => {
    const schema = loadAdminSchema();
    for (const [name, d] of Object.entries({ ...BULK_DOCUMENTS, ...BULK_QUERY_TEXTS }))
      expect([name, validate(schema, parse(d)).map((e) => e.message)]).toEqual([name, []]);
  });
});

describe('bulkOperationRunQuery', () => {
  it('exports every level as JSONL, nested nodes carrying __parentId, with modelled timing and 10 points to start', async () => {
    const out = await slower(4, () => runBulkQuery(client, BULK_INVENTORY_LEVELS, { pollMs: 1000 }));
    expect(out.status).toBe('COMPLETED');
    const locations = out.lines.filter((l) => !('__parentId' in l));
    expect(locations.map((l) => l.id)).toEqual(['gid://shopify/Location/1', 'gid://shopify/Location/2']); // the inactive one is not read
    const levels = (out.lines as BulkInventoryLevelsLine[]).flatMap((l) => (l.__parentId === undefined ? [] : [l]));
    expect(levels).toHaveLength(4);
    expect(levels.find((l) => l.item.sku === 'MUG')).toMatchObject({
      __parentId: 'gid://shopify/Location/2',
      quantities: [{ name: 'available', quantity: 8 }],
      item: { variant: { displayName: 'Mug' } },
    });
    expect(out.objectCount).toBe(6);
    // 2 s startup + 6 objects at 2 objects/s = 5 modelled seconds.
    expect(Date.parse(out.completedAt!) - Date.parse(out.createdAt)).toBe(5000);
    expect(out.polls).toBeGreaterThan(1);
    // Starting costs a mutation's 10 points, each poll 1; the export itself nothing.
    expect(out.cost).toBe(10 + out.polls);
  });

  it('passes through CREATED and RUNNING before COMPLETED', () =>
    slower(4, async () => {
      const started = await client.request(BULK_RUN_QUERY, { query: BULK_INVENTORY_LEVELS, groupObjects: false });
      const op = present(started.data.bulkOperationRunQuery?.bulkOperation, 'bulkOperation');
      const id = op.id;
      expect(op.status).toBe('CREATED');
      const seen = new Set<string>();
      for (let i = 0; i < 500 && !seen.has('COMPLETED'); i++) {
        seen.add(present((await client.request(BULK_OPERATION, { id })).data.bulkOperation, 'bulkOperation').status);
        await new Promise((r) => setTimeout(r, 2));
      }
      expect([...seen]).toEqual(expect.arrayContaining(['CREATED', 'RUNNING', 'COMPLETED']));
    }));

  it("groupObjects puts each parent's children right after it; without it children come after all parents", async () => {
    const grouped = await runBulkQuery(client, BULK_INVENTORY_LEVELS, { pollMs: 1000, groupObjects: true });
    expect(grouped.lines.map((l) => ('__parentId' in l ? 'child' : 'parent'))).toEqual(['parent', 'child', 'child', 'parent', 'child', 'child']);
    const flat = await runBulkQuery(client, BULK_INVENTORY_LEVELS, { pollMs: 1000 });
    expect(flat.lines.map((l) => ('__parentId' in l ? 'child' : 'parent'))).toEqual(['parent', 'parent', 'child', 'child', 'child', 'child']);
  });

  it.each([
    ['no connection', '{ shop { name } }', /at least one connection/],
    [
      'six connections',
      `{ products { edges { node { id variants { edges { node { id } } } collections { edges { node { id } } } media { edges { node { id } } } metafields { edges { node { id } } } sellingPlanGroups { edges { node { id } } } } } } }`,
      /more than 5 connections/,
    ],
    [
      'three levels of connections',
      '{ locations { edges { node { id inventoryLevels { edges { node { id item { id inventoryLevels { edges { node { id } } } } } } } } } } }',
      /nesting depth greater than 2/,
    ],
    ['top-level node', '{ node(id: "gid://shopify/Location/1") { id } }', /'node' and 'nodes'/],
    ['an unknown field', '{ locations { edges { node { idd } } } }', /idd/],
  ])('rejects a query with %s as Shopify does (userErrors, nothing started)', async (_name, query, message) => {
    const before = shop.bulk.ops.size;
    const res = await client.request(BULK_RUN_QUERY, { query, groupObjects: false });
    const payload = present(res.data.bulkOperationRunQuery, 'bulkOperationRunQuery');
    expect(payload.bulkOperation).toBeNull();
    expect(payload.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['query'], message: expect.stringMatching(message) });
    expect(shop.bulk.ops.size).toBe(before);
  });

  it('runs five queries at a time per shop; the sixth gets LIMIT_REACHED', async () => {
    shop.bulk.timeScale = 1; // hold them running
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await client.request(BULK_RUN_QUERY, { query: BULK_INVENTORY_LEVELS, groupObjects: false });
        expect(r.data.bulkOperationRunQuery?.userErrors).toEqual([]);
        ids.push(present(r.data.bulkOperationRunQuery?.bulkOperation, 'bulkOperation').id);
      }
      const sixth = await client.request(BULK_RUN_QUERY, { query: BULK_INVENTORY_LEVELS, groupObjects: false });
      expect(sixth.data.bulkOperationRunQuery).toMatchObject({ bulkOperation: null, userErrors: [{ code: 'LIMIT_REACHED' }] });
      const [first, ...others] = ids;
      const firstId = present(first, 'the first operation id');
      const cancel = await client.request(BULK_CANCEL, { id: firstId });
      expect(cancel.data.bulkOperationCancel?.bulkOperation?.status).toBe('CANCELING');
      for (const id of others) await client.request(BULK_CANCEL, { id });
      const after = await client.request(BULK_OPERATION, { id: firstId });
      expect(after.data.bulkOperation?.status).toBe('CANCELED');
    } finally {
      shop.bulk.timeScale = 1000;
    }
  });

  it('a FAILED operation has its errorCode and the partial data it got to', async () => {
    shop.bulk.failNext('TIMEOUT', 0.5);
    const out = await runBulkQuery(client, BULK_INVENTORY_LEVELS, { pollMs: 1000 });
    expect(out).toMatchObject({ status: 'FAILED', errorCode: 'TIMEOUT', url: null, objectCount: 3 });
    expect(out.partialDataUrl).toMatch(/\/bulk-results\/\d+\.jsonl$/);
    expect(out.lines).toHaveLength(3);
  });

  it("sends bulk_operations/finish, signed, in Shopify's payload shape", async () => {
    const out = await runBulkQuery(client, BULK_INVENTORY_LEVELS, { pollMs: 1000 });
    await shop.webhooks.flush();
    const mine = received
      .filter((r) => r.topic === 'bulk_operations/finish')
      .map((r) => ({ ...r, json: JSON.parse(r.body) }))
      .find((r) => r.json.admin_graphql_api_id === out.id)!;
    expect(mine.hmacOk).toBe(true);
    expect(mine.json).toEqual({
      admin_graphql_api_id: out.id,
      completed_at: out.completedAt,
      created_at: out.createdAt,
      error_code: null,
      status: 'completed',
      type: 'query',
    });
  });
});

describe('bulkOperationRunMutation', () => {
  const level = (item: number, loc: number) => shop.state.levels.get(`gid://shopify/InventoryItem/${item}|gid://shopify/Location/${loc}`)!;

  it("runs one mutation per uploaded line and reports each line's userErrors in the result JSONL", async () => {
    const lines = [
      {
        idempotencyKey: 'k-1',
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: 'gid://shopify/InventoryItem/1000', locationId: 'gid://shopify/Location/1', quantity: 50, changeFromQuantity: 5 }],
        },
      },
      {
        idempotencyKey: 'k-2',
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: 'gid://shopify/InventoryItem/1001', locationId: 'gid://shopify/Location/1', quantity: 70, changeFromQuantity: 999 }],
        },
      },
      {
        idempotencyKey: 'k-3',
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: 'gid://shopify/InventoryItem/1100', locationId: 'gid://shopify/Location/1', quantity: 1, changeFromQuantity: 0 }],
        },
      },
    ];
    const costBefore = shop.stats.costCharged;
    const out = await runBulkMutation(client, BULK_INVENTORY_SET, lines, { pollMs: 1000 });
    expect(out.status).toBe('COMPLETED');
    expect(out.objectCount).toBe(6); // 3 mutations + 3 quantities
    const byLine = new Map((out.lines as BulkMutationLine<BulkInventorySetQuantitiesMutation>[]).map((l) => [l.__lineNumber, l]));
    const userErrors = (n: number) => present(byLine.get(n)?.data?.inventorySetQuantities, `line ${n}'s inventorySetQuantities`).userErrors;
    expect(userErrors(0)).toEqual([]);
    expect(userErrors(1)[0]).toMatchObject({
      code: 'CHANGE_FROM_QUANTITY_STALE',
      field: ['input', 'quantities', '0', 'changeFromQuantity'],
    });
    expect(userErrors(2)[0]?.code).toBe('INVALID_LOCATION');
    expect(level(1000, 1).available).toBe(50);
    expect(level(1001, 1).available).toBe(7);
    // stagedUploadsCreate 10 + bulkOperationRunMutation 10 + 1 a poll; the 3 inventorySetQuantities nothing.
    expect(shop.stats.costCharged - costBefore).toBe(20 + out.polls);
  });

  it('executes lines as modelled time reaches them, so a sale made meanwhile lands between lines', async () => {
    shop.bulk.timeScale = 20; // 1 line of 2 objects at 100 objects/s = 20 modelled ms = 1 real ms
    try {
      const lines = Array.from({ length: 200 }, (_, i) => ({
        idempotencyKey: `slow-${i}`,
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: 'gid://shopify/InventoryItem/1100', locationId: 'gid://shopify/Location/2', quantity: 8, changeFromQuantity: null }],
        },
      }));
      const before = shop.bulk.ops.size;
      const run = runBulkMutation(client, BULK_INVENTORY_SET, lines, { pollMs: 200 });
      let op = [...shop.bulk.ops.values()].at(-1)!;
      for (let i = 0; i < 1000 && !(shop.bulk.ops.size > before && (op = [...shop.bulk.ops.values()].at(-1)!).mutation!.done > 0); i++)
        await new Promise((r) => setTimeout(r, 2));
      expect(op.status).toBe('RUNNING');
      expect(op.mutation!.done).toBeGreaterThan(0);
      expect(op.mutation!.done).toBeLessThan(200);
      await run;
    } finally {
      shop.bulk.timeScale = 1000;
    }
  });

  it('says NO_SUCH_FILE for a path never uploaded and INVALID_STAGED_UPLOAD_FILE for a line that is not JSON', async () => {
    const run = async (path: string) =>
      present(
        (await client.request(BULK_RUN_MUTATION, { mutation: BULK_INVENTORY_SET, stagedUploadPath: path })).data.bulkOperationRunMutation,
        'bulkOperationRunMutation',
      ).userErrors;
    expect((await run('tmp/nope/bulk_op_vars.jsonl'))[0]?.code).toBe('NO_SUCH_FILE');
    const staged = await client.request(STAGED_UPLOADS_CREATE, {
      input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'v.jsonl', mimeType: 'text/jsonl', httpMethod: 'POST' }],
    });
    const target = present(staged.data.stagedUploadsCreate?.stagedTargets?.[0], 'a staged target');
    const url = present(target.url, 'the staged target url');
    const form = (file: string, tamper = false) => {
      const f = new FormData();
      for (const p of target.parameters) f.append(p.name, tamper && p.name === 'key' ? 'tmp/other' : p.value);
      f.append('file', new Blob([file]), 'v.jsonl');
      return f;
    };
    expect((await fetch(url, { method: 'POST', body: form('{}\n', true) })).status).toBe(403);
    expect((await fetch(url, { method: 'POST', body: form('{"input": 1}\nnot json\n') })).status).toBe(201);
    const key = present(
      target.parameters.find((p) => p.name === 'key'),
      'the key parameter',
    ).value;
    expect((await run(key))[0]).toMatchObject({
      code: 'INVALID_STAGED_UPLOAD_FILE',
      message: expect.stringMatching(/Line 2/),
    });
  });

  it('rejects a mutation that is not exactly one mutation field', async () => {
    const r = await client.request(BULK_RUN_MUTATION, { mutation: '{ shop { name } }', stagedUploadPath: 'x' });
    expect(r.data.bulkOperationRunMutation?.userErrors[0]?.code).toBe('INVALID_MUTATION');
  });
});
