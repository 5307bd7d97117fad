// Test helpers: a full server on a temp data dir (its store: real SQLite there, or on the PostgreSQL pass a throwaway
// database: runtime/testing/pass.ts), users of every role, and a request helper.
import { z } from 'zod';
import { Writable } from 'node:stream';
import pino from 'pino';
import type Database from 'better-sqlite3';
import { type AnyStore, isSqlite } from '../runtime/store/any-store.ts';
import { createServer, type LedgerlineServer, type ServerOptions } from './app.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { Calls, flow, tempDir, testNodes } from '../runtime/testing/fixtures.ts';
import { passDatabaseUrl } from '../runtime/testing/pass.ts';
import { defineNode, type NodeType } from '../runtime/node-api.ts';
import type { Sandbox } from '../runtime/sandbox/types.ts';
import { ROLES, type Role } from './auth/roles.ts';
import { scryptCost } from './auth/passwords.ts';

// Cheap hashes in tests only: each test builds several users.
scryptCost.N = 1 << 10;

export { flow, Calls };

export const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('sandbox not used in this test')),
  runBatch: async () => Promise.reject(new Error('sandbox not used in this test')),
  close: async () => {},
};

/** A Shopify-webhook trigger shaped like shopify.trigger (connection + topics), for routing tests. */
export const testShopifyTrigger = defineNode({
  type: 'test.shopify-trigger',
  version: 1,
  title: 'Shopify trigger (test)',
  category: 'trigger',
  description: 'passes the webhook body on',
  config: z.object({ connectionId: z.string(), topics: z.array(z.string()).optional() }),
  inputs: [],
  outputs: [{ id: 'out' }],
  idempotent: true,
  trigger: 'shopify-webhook',
  sampleOutput: { id: 1 },
  execute: (_ctx, body: unknown) => body,
});

/** A mapping node (by type name) so client-role edits have something to edit. */
export const testMap = defineNode({
  type: 'test.map',
  version: 1,
  title: 'Map (test)',
  category: 'lookup',
  description: 'copies input and adds config.fields',
  config: z.object({ fields: z.record(z.string(), z.string()).default({}), expression: z.string().optional() }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: (ctx, input: Record<string, unknown>) => ({ ...input, ...ctx.config.fields }),
});

/** A node that echoes what a connection resolves to (lets tests plant a secret into a run). */
export const testLeaky = defineNode({
  type: 'test.leaky',
  version: 1,
  title: 'Leaky (test)',
  category: 'core',
  description: 'outputs the secret of a connection client',
  config: z.object({ connectionId: z.string() }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: { token: '' },
  execute: async (ctx) => {
    const c = await ctx.connection<{ token: string }>('erp', ctx.config.connectionId);
    return { token: c.token };
  },
});

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };
export const PASSWORD = 'role-password-1';
export const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
export const METRICS_TOKEN = 'test-metrics-token';

export interface TestServer {
  server: LedgerlineServer;
  dir: string;
  calls: Calls;
  logs: string[];
  tokens: Record<Role, string>;
  req(method: string, path: string, opts?: { token?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<Response>;
  json<T = any>(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function testServer(o: Partial<ServerOptions> & { withRoles?: boolean; extraNodes?: NodeType[] } = {}): Promise<TestServer> {
  const tmp = tempDir('ledgerline-server-');
  const calls = new Calls();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  // A test that names its own database keeps it; otherwise the pass's store (new, as sandbox mode tells it apart).
  const databaseUrl = o.databaseUrl ?? (await passDatabaseUrl(o.dataDir ?? tmp.dir, { unmigrated: !!o.sandboxMode }));
  const server = await createServer({
    dataDir: tmp.dir,
    ...(databaseUrl ? { databaseUrl } : {}),
    env: {
      LEDGERLINE_ADMIN_EMAIL: ADMIN.email,
      LEDGERLINE_ADMIN_PASSWORD: ADMIN.password,
      LEDGERLINE_MASTER_KEY: MASTER_KEY,
      LEDGERLINE_METRICS_TOKEN: METRICS_TOKEN,
    },
    log: pino({ level: 'info' }, sink),
    sandbox: noSandbox,
    nodeTypes: [...coreNodes, ...testNodes(calls), testShopifyTrigger, testMap, testLeaky, ...(o.extraNodes ?? [])],
    designerDir: null,
    templatesDir: null,
    sandboxMode: false,
    defaultMetrics: false,
    worker: { pollMs: 10 },
    ...o,
  });
  const req: TestServer['req'] = (method, path, r = {}) => {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    let body: string | undefined = r.raw;
    if (r.body !== undefined) {
      body = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json';
    }
    return Promise.resolve(server.app.request(path, { method, headers, body }));
  };
  const json: TestServer['json'] = async (method, path, r = {}) => {
    const res = await req(method, path, r);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const tokens = {} as Record<Role, string>;
  const admin = await json('POST', '/api/auth/login', { body: ADMIN });
  if (admin.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(admin.body)}`);
  // An API token rather than the session, so a test that logs out does not strand the others.
  tokens.owner = (await server.deps.users.createToken(admin.body.user.id, 'test')).token;
  if (o.withRoles) {
    for (const role of ROLES.filter((r) => r !== 'owner')) {
      await server.deps.users.create({ email: `${role}@example.com`, role, password: PASSWORD });
      tokens[role] = (await server.deps.users.createToken((await server.deps.users.byEmail(`${role}@example.com`))!.id, 'test')).token;
    }
  }
  return {
    server,
    dir: tmp.dir,
    calls,
    logs,
    tokens,
    req,
    json,
    async close() {
      await server.close();
      tmp.cleanup();
    },
  };
}

export async function waitFor<R>(f: () => R, timeoutMs = 10_000): Promise<Exclude<Awaited<R>, undefined | false>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await f(); // a condition that reads the store asynchronously is awaited
    if (v) return v as Exclude<Awaited<R>, undefined | false>;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The SQLite connection under a server's runtime, for tests that look at rows directly (the embedded default store). */
export function sqliteOf(rt: { store: AnyStore }): Database.Database {
  if (!isSqlite(rt.store)) throw new Error('this test reads the SQLite store directly');
  return rt.store.sqlite;
}
