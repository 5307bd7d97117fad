import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sandboxStoreCommand } from './sandbox-store.ts';

const entry = `const { sandboxStoreCommand } = await import(${JSON.stringify(new URL('./sandbox-store.ts', import.meta.url).href)});
process.exitCode = await sandboxStoreCommand(process.argv.slice(1));`;

describe('ledgerline sandbox-store', () => {
  it('runs standalone, prints its credentials, answers GraphQL with them and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', '--input-type=module', '-e', entry, '--', '--plan', 'plus'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    child.stderr.on('data', (b: Buffer) => (text += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!text.includes('Stop with Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const field = (name: string) => new RegExp(`${name}\\s+(\\S+)`).exec(text)?.[1];
    const url = field('graphql');
    expect(url, text).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/api\/2026-10\/graphql\.json$/);
    expect(field('shop domain')).toMatch(/\.myshopify\.com$/);
    expect(field('webhook secret')).toBeTruthy();
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': field('access token')! },
      body: JSON.stringify({ query: '{ locations(first: 5) { nodes { name } } }' }),
    });
    const body = (await res.json()) as any;
    expect(body.data.locations.nodes.map((n: any) => n.name)).toContain('Leeds warehouse');
    expect(body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 20000, restoreRate: 1000 });
    const denied = await fetch(url!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'wrong' },
      body: '{"query":"{ locations(first: 1) { nodes { name } } }"}',
    });
    expect(denied.status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(text).toMatch(/sandbox store stopped \(SIGTERM\)/);
  }, 40_000);

  it('rejects bad options with exit code 2 and says which', async () => {
    const errs: string[] = [];
    const io = { out: () => {}, err: (s: string) => errs.push(s), stopSignal: Promise.resolve() };
    expect(await sandboxStoreCommand(['--plan', 'gold'], io)).toBe(2);
    expect(errs.join('\n')).toMatch(/--plan must be one of standard, advanced, plus, got "gold"/);
    expect(await sandboxStoreCommand(['--port', 'x'], io)).toBe(2);
    expect(await sandboxStoreCommand(['--nope'], io)).toBe(2);
    expect(await sandboxStoreCommand(['--scenario', '/nonexistent/s.json'], io)).toBe(1);
    expect(errs.join('\n')).toMatch(/cannot read scenario \/nonexistent\/s\.json: ENOENT/);
  });

  it('loads a scenario file given with --scenario', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/scn-`)}/s.json`;
    writeFileSync(
      file,
      JSON.stringify({
        shop: { name: 'Tiny' },
        locations: [{ id: 1, name: 'Only' }],
        products: [{ id: 1, title: 'P', variants: [{ id: 1, sku: 'A', inventoryItemId: 1 }] }],
      }),
    );
    const lines: string[] = [];
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    const done = sandboxStoreCommand(['--scenario', file], {
      out: (s) => {
        lines.push(s);
        if (s.startsWith('Stop')) stop();
      },
      err: (s) => lines.push(s),
      stopSignal,
    });
    expect(await done).toBe(0);
    expect(lines.join('\n')).toMatch(/1 variants, 1 locations, 0 orders/);
  });

  it('signs with the webhook secret of the sandbox-mode server in the data dir, so that server accepts its webhooks', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { createServer } = await import('../app.ts');
    const { noSandbox } = await import('../testing.ts');
    const pino = (await import('pino')).default;
    const dir = mkdtempSync(`${tmpdir()}/ll-store-secret-`);
    const env = { PATH: process.env.PATH };
    const server = await createServer({
      dataDir: dir,
      env,
      sandbox: noSandbox,
      start: false,
      designerDir: null,
      templatesDir: null,
      log: pino({ level: 'silent' }),
    });
    const serverSecret = await server.deps.secrets.get('sandbox-webhook-secret');
    await server.close();
    try {
      const run = async (args: string[], e: NodeJS.ProcessEnv) => {
        const lines: string[] = [];
        let stop!: () => void;
        const stopSignal = new Promise<void>((r) => (stop = r));
        expect(
          await sandboxStoreCommand(args, {
            env: e,
            out: (s) => {
              lines.push(s);
              if (s.startsWith('Stop')) stop();
            },
            err: (s) => lines.push(s),
            stopSignal,
          }),
        ).toBe(0);
        return lines.join('\n');
      };
      expect(serverSecret).toMatch(/^shpss_/);
      const text = await run(['--data-dir', dir], env);
      expect(text).toContain(`webhook secret  ${serverSecret}  (the sandbox-shop secret of the server in ${dir})`);
      expect(await run(['--data-dir', dir], { ...env, SANDBOX_WEBHOOK_SECRET: 'shpss_explicit' })).toContain(
        'webhook secret  shpss_explicit  (from SANDBOX_WEBHOOK_SECRET)',
      );
      const empty = mkdtempSync(`${tmpdir()}/ll-store-nodir-`);
      expect(await run(['--data-dir', empty], env)).toMatch(/webhook secret {2}\S+ {2}\(made up for this store/);
      rmSync(empty, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
