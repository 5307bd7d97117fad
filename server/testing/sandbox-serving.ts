// A real server in sandbox mode for a test file: `serve()` on a fresh data dir (templates, seed tables, sandbox shop
// and ERP), an owner and the given roles signed in, and the calls tests make against it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { serve, type Serving } from '../main.ts';

export interface SandboxServing {
  s: Serving;
  /** The data dir (the sandbox ERP's SQLite file is in it). */
  dir: string;
  /** Bearer tokens: `owner`, and one per role asked for (its user is `<role>@example.com`). */
  tokens: Record<string, string>;
  call<T = any>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Stops the server and keeps its data dir (to start another on it: `sandboxServing(..., { dir })`). */
  stop(): Promise<void>;
  /** Stops the server and removes its data dir. */
  close(): Promise<void>;
}

/** Polls `f` every 250 ms until it gives a value. */
export async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `opts.dir`: a data dir an earlier server left (a restart); its owner signs in again, `roles` are added only once. */
export async function sandboxServing(name: string, password: string, roles: string[] = [], opts: { dir?: string } = {}): Promise<SandboxServing> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `ll-${name}-`));
  const s = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    designerDir: null,
    handleSignals: false,
    log: pino({ level: 'silent' }),
    env: { ...process.env, LEDGERLINE_ADMIN_EMAIL: 'owner@example.com', LEDGERLINE_ADMIN_PASSWORD: password },
  });
  const call: SandboxServing['call'] = async (method, path, token, body) => {
    const r = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json() };
  };
  const login = async (email: string) => {
    const r = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    return ((await r.json()) as { token: string }).token;
  };
  const tokens: Record<string, string> = { owner: await login('owner@example.com') };
  for (const role of roles) {
    if (!opts.dir) {
      const made = await call('POST', '/api/users', tokens.owner!, { email: `${role}@example.com`, role, password });
      if (made.status !== 201) throw new Error(`could not add the ${role} user: ${JSON.stringify(made.body)}`);
    }
    tokens[role] = await login(`${role}@example.com`);
  }
  // The sandbox shop starts a moment after the server listens (it loads Shopify's schema).
  await until(
    async () => ((await call('GET', '/api/sandbox', tokens.owner!).catch(() => ({ body: { ready: false } }))).body.ready ? true : undefined),
    'the sandbox shop',
    30_000,
  );
  return {
    s,
    dir,
    tokens,
    call,
    stop: () => s.close(),
    close: async () => {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
