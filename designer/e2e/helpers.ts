// Shared steps of the browser tests: a per-file build and backend with the sandbox webhook secret, signing in,
// waiting for runs through the API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { apiAs, buildDesigner, startBackend, type Backend } from './backend.ts';
import { SANDBOX_WEBHOOK_SECRET } from './fixtures.ts';
import type { Res } from '../src/api/contract.ts';
import type { RunSummary } from '../src/api/types.ts';

export type Api = Awaited<ReturnType<typeof apiAs>>;

export interface Env {
  backend: Backend;
  admin: Api;
  stop(): Promise<void>;
}

/** Builds the designer into its own folder and starts a fresh server in sandbox mode with a known webhook secret. */
export async function startEnv(users: Array<{ email: string; name: string; role: string; password: string }>): Promise<Env> {
  const dist = mkdtempSync(join(tmpdir(), 'll-designer-dist-'));
  await buildDesigner(dist);
  const backend = await startBackend({ LEDGERLINE_SANDBOX_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET }, dist);
  const admin = await apiAs(backend.baseUrl, backend.adminEmail, backend.adminPassword);
  for (const u of users) await admin('POST', '/api/users', u);
  // The sandbox shop starts a moment after the server listens (it loads Shopify's schema, slower on a busy machine):
  // a journey begins once the shop can take the panel's events, as a person would find it after the first second.
  const until = Date.now() + 60_000;
  while (!(await admin<Res<'/api/sandbox', 'get'>>('GET', '/api/sandbox').catch(() => ({ ready: false }))).ready) {
    if (Date.now() > until) throw new Error('the sandbox shop did not start within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    backend,
    admin,
    stop: async () => {
      await backend.stop();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]');
}

/** Waits until the flow has a finished run for the Shopify order and returns it. */
export async function waitForOrderRun(api: Api, flowId: string, orderGid: string, opts: { replayOf?: string; timeoutMs?: number } = {}): Promise<RunSummary> {
  const until = Date.now() + (opts.timeoutMs ?? 20_000);
  const key = encodeURIComponent(`shopifyOrderId:${orderGid}`);
  for (;;) {
    const { runs } = await api<Res<'/api/runs', 'get'>>('GET', `/api/runs?flowId=${encodeURIComponent(flowId)}&key=${key}`);
    const run = runs.find((r) => (opts.replayOf ? r.replayOf === opts.replayOf : true) && (r.status === 'succeeded' || r.status === 'failed'));
    if (run) return run;
    if (Date.now() > until)
      throw new Error(`no finished run of ${flowId} for ${orderGid}${opts.replayOf ? ` replaying ${opts.replayOf}` : ''}: ${JSON.stringify(runs)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The server tests' poll (every 250 ms until it gives a value), for the e2e tests too.
export { until } from '../../server/testing/sandbox-serving.ts';
