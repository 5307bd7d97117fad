// Triage on a real server in sandbox mode: the duplicate-sku scenario gives a second Shopify product an existing
// SKU and runs the stock flow now; its push sets every other level and fails naming the duplicate. The inbox's
// triage of that failure says it is the Shopify catalogue's, for ecommerce, with the listing to remove or merge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Serving } from '../main.ts';

let s: Serving;
let dir: string;
let token = '';
const PASSWORD = 'triage-sandbox-pw';

async function call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as T };
}

async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-triage-sandbox-'));
  s = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    designerDir: null,
    handleSignals: false,
    log: pino({ level: 'silent' }),
    env: { ...process.env, LEDGERLINE_ADMIN_EMAIL: 'owner@example.com', LEDGERLINE_ADMIN_PASSWORD: PASSWORD },
  });
  const login = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'owner@example.com', password: PASSWORD }),
  });
  token = ((await login.json()) as { token: string }).token;
  // The sandbox shop starts a moment after the server listens (it loads Shopify's schema).
  await until('the sandbox shop', async () => ((await call('GET', '/api/sandbox').catch(() => null))?.body.ready ? true : undefined), 30_000);
}, 120_000);

afterAll(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('triage of a sandbox scenario', () => {
  it('duplicate-sku: the failed stock push is a catalogue problem for ecommerce, naming the duplicate, with no retry offered', async () => {
    const sent = await call('POST', '/api/sandbox/events', { scenario: 'duplicate-sku' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const runId: string = sent.body.runs[0].runId;
    const run = await until('the stock push run', async () => {
      const r = (await call('GET', `/api/runs/${runId}`)).body;
      return r.status === 'failed' || r.status === 'succeeded' ? r : undefined;
    });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'INVENTORY_PROBLEMS' });

    const ex = await until('the exception of the failed push', async () => {
      const { body } = await call('GET', '/api/exceptions?type=failed-run&state=unresolved');
      return body.items.find((i: any) => i.links.runId === runId);
    });
    expect(ex.owner).toBe('ecommerce');
    // The sandbox catalogue plants other duplicates and an item not stocked; the new duplicate is named with them.
    expect(ex.detail).toMatch(/^The stock push named \d+ problem\(s\) it could not push; the rest of the stock was pushed \(\d+ level\(s\) set in Shopify/);
    expect(ex.title).toMatch(/^Stock push problems in inventory-to-shopify \/ push: \d+ duplicate SKUs \([^)]*TEE-M/);

    const { body } = await call('GET', `/api/assist/triage?ids=${ex.id}`);
    const t = body.triage[ex.id];
    expect(t).toMatchObject({ category: 'data-mapping', categoryLabel: 'Data mapping', action: { kind: 'open-run', params: { runId } } });
    expect(t.nextStep).toMatch(/^Remove or merge the duplicate Shopify listings .*so one variant sells each of SKU [^;]*\bTEE-M\b/);
    expect(t.nextStep).toContain('retrying before the data is fixed fails the same way');
    expect(t.nextStep).not.toMatch(/custom code/);
    const lines: string[] = t.explanation.split('\n');
    expect(lines[0]).toContain('the ecommerce team');
    expect(lines[0]).toMatch(/The rest of the stock was pushed: \d+ stock level\(s\) set in Shopify/);
    expect(lines).toContainEqual(expect.stringMatching(/^Duplicate SKU in Shopify \(more than one variant sells it\) \(\d+\):$/));
    expect(lines.find((l) => l.startsWith('• SKU TEE-M '))).toMatch(/is used by 2 Shopify variants: .*second listing/);
    expect(t.evidence.join(' | ')).not.toMatch(/code error/i);
  }, 180_000);
});
