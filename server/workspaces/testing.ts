// Test helpers: a deployment of workspaces on a temp data dir (real SQLite per cell; on the PostgreSQL pass a schema
// per cell in a throwaway database: runtime/testing/pass.ts), and requests as a user.
import { Writable } from 'node:stream';
import pino from 'pino';
import { coreNodes } from '../../nodes/core/index.ts';
import { Calls, tempDir, testNodes } from '../../runtime/testing/fixtures.ts';
import { passDatabaseUrl } from '../../runtime/testing/pass.ts';
import { ADMIN, MASTER_KEY, METRICS_TOKEN, noSandbox, testLeaky, testMap, testShopifyTrigger } from '../testing.ts';
import type { ServerOptions } from '../app.ts';
import { createDeployment, WORKSPACE_HEADER, type Deployment } from './deployment.ts';

export interface TestDeployment {
  d: Deployment;
  dir: string;
  calls: Calls;
  ownerToken: string;
  req(method: string, path: string, o?: { token?: string | null; workspace?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  json<T = any>(method: string, path: string, o?: { token?: string | null; workspace?: string; body?: unknown }): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function testDeployment(o: Partial<ServerOptions> & { dir?: string } = {}): Promise<TestDeployment> {
  const tmp = o.dir ? null : tempDir('ledgerline-deploy-');
  const dir = o.dir ?? tmp!.dir;
  const calls = new Calls();
  // A test that names its own database keeps it; otherwise the pass's store (a reopened data dir finds its database).
  const databaseUrl = o.databaseUrl ?? (await passDatabaseUrl(dir, { unmigrated: !!o.sandboxMode }));
  const d = await createDeployment({
    dataDir: dir,
    ...(databaseUrl ? { databaseUrl } : {}),
    env: {
      LEDGERLINE_ADMIN_EMAIL: ADMIN.email,
      LEDGERLINE_ADMIN_PASSWORD: ADMIN.password,
      LEDGERLINE_MASTER_KEY: MASTER_KEY,
      LEDGERLINE_METRICS_TOKEN: METRICS_TOKEN,
    },
    log: pino({ level: 'warn' }, new Writable({ write: (_c, _e, cb) => cb() })),
    sandbox: noSandbox,
    nodeTypes: [...coreNodes, ...testNodes(calls), testShopifyTrigger, testMap, testLeaky],
    designerDir: null,
    templatesDir: null,
    sandboxMode: false,
    defaultMetrics: false,
    worker: { pollMs: 10 },
    ...o,
  });
  const req: TestDeployment['req'] = (method, path, r = {}) => {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    if (r.workspace) headers[WORKSPACE_HEADER] = r.workspace;
    let body: string | undefined;
    if (r.body !== undefined) {
      body = JSON.stringify(r.body);
      headers['content-type'] = 'application/json';
    }
    return Promise.resolve(d.app.request(path, { method, headers, body }));
  };
  const json: TestDeployment['json'] = async (method, path, r) => {
    const res = await req(method, path, r);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const owner = (await d.directory.users.byEmail(ADMIN.email))!;
  return {
    d,
    dir,
    calls,
    ownerToken: (await d.directory.users.createToken(owner.id, 'test')).token,
    req,
    json,
    async close() {
      await d.close();
      tmp?.cleanup();
    },
  };
}
