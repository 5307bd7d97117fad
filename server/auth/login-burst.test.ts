// Login under a burst, over a real socket and with the real scrypt cost: bogus logins must not starve a real one.
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type Serving } from '../main.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { scryptCost } from './passwords.ts';

const PASSWORD = 'real-admin-password-1';
let s: Serving;
let tmp: { dir: string; cleanup(): void };

beforeAll(async () => {
  expect(scryptCost.N).toBe(1 << 15); // the production cost: this test is about CPU
  tmp = tempDir('ledgerline-burst-');
  s = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: tmp.dir,
    env: { LEDGERLINE_ADMIN_EMAIL: 'admin@example.com', LEDGERLINE_ADMIN_PASSWORD: PASSWORD, LEDGERLINE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
    sandboxMode: false,
    designerDir: null,
    templatesDir: null,
    handleSignals: false,
    log: (await import('pino')).default({ level: 'silent' }),
    limits: { maxSocketsPerAddress: 200 },
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
  tmp?.cleanup();
});

const ATTACKER = `
import http from 'node:http';
import os from 'node:os';
const codes = {};
let stop = false;
process.on('SIGTERM', () => { stop = true; });
const once = (i) => new Promise((ok) => {
  const body = JSON.stringify({ email: process.env.EMAIL.replace('\${i}', String(i)), password: process.env.PASSWORD });
  const req = http.request({ host: '127.0.0.1', port: process.env.PORT, path: '/api/auth/login', method: 'POST', localAddress: process.env.FROM, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', () => ok(res.statusCode)); });
  req.on('error', () => ok('error'));
  req.end(body);
});
await Promise.all(Array.from({ length: 40 }, async (_, i) => { while (!stop) { const c = await once(i); codes[c] = (codes[c] ?? 0) + 1; if (c === 429) await new Promise((r) => setTimeout(r, 200)); } }));
process.stdout.write(JSON.stringify(codes));
`;

function login(email: string, password: string, localAddress: string): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify({ email, password });
  const url = new URL(s.url);
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: '/api/auth/login',
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => ok({ status: res.statusCode!, ms: performance.now() - t0 }));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

it('a real login answers in under 1 s while 40 bogus logins (unknown emails) are in flight, and 40 wrong passwords too', async () => {
  // Warm-up (the server learns how long a hash takes here), then the time a real login takes with no attack.
  expect((await login('admin@example.com', PASSWORD, '127.0.0.2')).status).toBe(200);
  const quiet: number[] = [];
  for (let i = 0; i < 3; i++) quiet.push((await login('admin@example.com', PASSWORD, '127.0.0.2')).ms);
  // The 1 s bound is for a machine that is not itself overloaded: on a shared 2-core host at load 15-20 one
  // unattacked scrypt alone takes 1-2.5 s, and no login can be fast. There the test still proves the mechanism
  // (only 10 checks of the attacked account, every real login admitted), and the bound is checked only when the
  // load allows. The gate's ordering (a real login waits for at most one attacker hash) is in login-guard.test.ts.
  const loaded = os.loadavg()[0]! > os.cpus().length;
  const url = new URL(s.url);
  const attacks = [
    { what: 'wrong passwords for the real account', email: 'admin@example.com', password: 'wrong-password!', from: '127.0.0.3' },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder the attacker script replaces with its request number
    { what: 'unknown emails', email: 'nobody${i}@example.com', password: 'guess-guess', from: '127.0.0.1' },
  ];
  for (const a of attacks) {
    // 40 attackers in another process (as they would be), each sending its next login as soon as one is answered
    // (200 ms later when refused with 429: this is about logins in flight, not a flood of requests of any kind).
    const attacker = spawn(process.execPath, ['--input-type=module', '-e', ATTACKER], {
      env: { ...process.env, PORT: url.port, EMAIL: a.email, PASSWORD: a.password, FROM: a.from },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    attacker.stdout.on('data', (d) => (out += d));
    await new Promise((r) => setTimeout(r, 500));
    const real: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await login('admin@example.com', PASSWORD, '127.0.0.2');
      expect(r.status).toBe(200);
      real.push(r.ms);
    }
    const done = new Promise((r) => attacker.once('exit', r));
    attacker.kill('SIGTERM');
    await done;
    const codes = JSON.parse(out || '{}') as Record<string, number>;
    expect(
      Object.values(codes).reduce((x, y) => x + y, 0),
      a.what,
    ).toBeGreaterThanOrEqual(40);
    expect(
      Object.keys(codes).every((c) => c === '401' || c === '429'),
      JSON.stringify(codes),
    ).toBe(true);
    if (a.email === 'admin@example.com') expect(codes['401'] ?? 0, 'password checks of the attacked account').toBeLessThanOrEqual(10);
    const figures = `${a.what}: real logins took ${real.map(Math.round).join(', ')} ms (unattacked: ${quiet.map(Math.round).join(', ')} ms; load ${os.loadavg()[0]!.toFixed(1)})`;
    if (loaded) console.warn(`machine overloaded, 1 s bound not checked: ${figures}`);
    else expect(Math.max(...real), figures).toBeLessThan(1000);
  }
}, 60_000);
