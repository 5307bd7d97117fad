// Starts the real Ledgerline server (server/main.ts serve()) on a free loopback port with a fresh data dir,
// serving the freshly built designer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { build } from 'vite';
import { serve } from '../../server/main.ts';

export const DESIGNER_DIR = resolve(import.meta.dirname, '..');
export const DIST = join(DESIGNER_DIR, 'dist');

/** Builds the designer; test files running in parallel each pass their own `outDir` so builds never collide. */
export async function buildDesigner(outDir: string = DIST): Promise<void> {
  await build({ configFile: join(DESIGNER_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export interface Backend {
  baseUrl: string;
  adminEmail: string;
  adminPassword: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startBackend(env: Record<string, string> = {}, designerDir: string = DIST): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'll-designer-e2e-'));
  const adminPassword = 'e2e-admin-password';
  const s = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    designerDir,
    handleSignals: false,
    log: pino({ level: process.env.LEDGERLINE_E2E_LOG ?? 'error' }),
    env: { ...process.env, LEDGERLINE_ADMIN_EMAIL: 'admin@example.com', LEDGERLINE_ADMIN_PASSWORD: adminPassword, ...env },
  });
  return {
    baseUrl: s.url,
    adminEmail: 'admin@example.com',
    adminPassword,
    dataDir,
    stop: async () => {
      await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the API as a signed-in user (for test setup, e.g. creating users). */
export async function apiAs(baseUrl: string, email: string, password: string) {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`login as ${email} failed: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
