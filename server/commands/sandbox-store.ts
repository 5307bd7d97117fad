// `ledgerline sandbox-store [--port P] [--scenario FILE] [--plan standard|advanced|plus] [--webhook-url URL]`:
// runs the Shopify sandbox store on its own until SIGINT/SIGTERM, for demos and for pointing other tools at it.
// The access token and webhook secret it prints are the sandbox's own, made up at start (or fixed by env, below).
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PLANS, startShopifySandbox, type SandboxPlan } from '../../nodes/shopify/sandbox/server.ts';
import { DEFAULT_SCENARIO_FILE, loadScenarioFile } from '../../nodes/shopify/sandbox/state.ts';

export const SANDBOX_STORE_USAGE = `usage: ledgerline sandbox-store [--port P] [--scenario FILE] [--plan standard|advanced|plus] [--webhook-url URL] [--data-dir DIR]
  --port         TCP port on 127.0.0.1 (default 0: any free port)
  --scenario     scenario JSON (default: the demo shop, nodes/shopify/sandbox/scenarios/default.json)
  --plan         rate-limit plan: standard (100 pts/s, bucket 2,000), advanced (200/4,000), plus (1,000/20,000)
  --webhook-url  where to send signed webhooks for orders, refunds and fulfilments created through the store
  --data-dir     a Ledgerline data dir (default LEDGERLINE_DATA_DIR or ./data): when it holds a sandbox-mode server,
                 the store signs webhooks with that server's sandbox-shop secret, so the server accepts them
  env SANDBOX_ACCESS_TOKEN / SANDBOX_WEBHOOK_SECRET fix the credentials instead (LEDGERLINE_SANDBOX_WEBHOOK_SECRET too)`;

/**
 * The webhook secret the server of this data dir verifies sandbox-shop webhooks with, or undefined when the dir holds
 * no sandbox-mode server (or its vault cannot be opened). Read-only: never creates a data dir or a vault key.
 */
export async function serverSandboxSecret(dataDir: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!env.LEDGERLINE_MASTER_KEY && !existsSync(join(dataDir, 'vault.keys'))) return undefined;
  // The sandbox shop is the default workspace's (a further workspace has no sandbox connections): its SQLite file, or
  // with LEDGERLINE_DATABASE_URL its PostgreSQL schema.
  const { openCliStore, storeExists } = await import('./cli-store.ts');
  const { DEFAULT_WORKSPACE } = await import('../workspaces/directory.ts');
  const at = { ...env, LEDGERLINE_WORKSPACE: DEFAULT_WORKSPACE };
  if (!(await storeExists(dataDir, at).catch(() => false))) return undefined;
  const { loadVault } = await import('../vault/vault.ts');
  const { SecretStore } = await import('../vault/secrets.ts');
  let store: Awaited<ReturnType<typeof openCliStore>> | undefined;
  try {
    store = await openCliStore(dataDir, at);
    return await new SecretStore(store, loadVault(dataDir, env.LEDGERLINE_MASTER_KEY).vault).get('sandbox-webhook-secret');
  } catch {
    return undefined;
  } finally {
    await store?.close();
  }
}

export interface SandboxStoreIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Resolves when the command should stop; defaults to the first SIGINT or SIGTERM. */
  stopSignal?: Promise<unknown>;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((res) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      res(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Exit codes: 0 after a clean stop, 1 when the store cannot start, 2 for a usage error. */
export async function sandboxStoreCommand(argv: string[], io: SandboxStoreIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  let values: { port?: string; scenario?: string; plan?: string; 'webhook-url'?: string; 'data-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        scenario: { type: 'string' },
        plan: { type: 'string' },
        'webhook-url': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    err(`ledgerline sandbox-store: ${(e as Error).message}\n${SANDBOX_STORE_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(SANDBOX_STORE_USAGE);
    return 0;
  }
  const usage = (msg: string) => {
    err(`ledgerline sandbox-store: ${msg}\n${SANDBOX_STORE_USAGE}`);
    return 2;
  };
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usage(`--port must be an integer 0-65535, got "${values.port}"`);
  const plan = (values.plan ?? 'standard') as SandboxPlan;
  if (!Object.hasOwn(PLANS, plan)) return usage(`--plan must be one of ${Object.keys(PLANS).join(', ')}, got "${values.plan}"`);
  const webhookUrl = values['webhook-url'];
  if (webhookUrl !== undefined && !/^https?:\/\/\S+$/.test(webhookUrl)) return usage(`--webhook-url must be an http(s) URL, got "${webhookUrl}"`);
  const scenarioFile = values.scenario ? resolve(values.scenario) : DEFAULT_SCENARIO_FILE;

  // The secret must be the one the receiving server verifies with, or every webhook is refused as forged: an explicit
  // one first, then the server's own (from its data dir); only a store with no server to talk to makes one up.
  const env = io.env ?? process.env;
  const dataDir = resolve(values['data-dir'] ?? env.LEDGERLINE_DATA_DIR ?? './data');
  let secretFrom = 'made up for this store (no sandbox-mode server in ' + dataDir + ')';
  let webhookSecret = env.SANDBOX_WEBHOOK_SECRET || env.LEDGERLINE_SANDBOX_WEBHOOK_SECRET;
  if (webhookSecret) secretFrom = env.SANDBOX_WEBHOOK_SECRET ? 'from SANDBOX_WEBHOOK_SECRET' : 'from LEDGERLINE_SANDBOX_WEBHOOK_SECRET';
  else if ((webhookSecret = await serverSandboxSecret(dataDir, env))) secretFrom = `the sandbox-shop secret of the server in ${dataDir}`;

  let store;
  try {
    const seed = loadScenarioFile(scenarioFile);
    store = await startShopifySandbox({
      port,
      plan,
      seed,
      webhookUrl,
      ...(env.SANDBOX_ACCESS_TOKEN ? { accessToken: env.SANDBOX_ACCESS_TOKEN } : {}),
      ...(webhookSecret ? { webhookSecret } : {}),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    err(`ledgerline sandbox-store: ${code === 'EADDRINUSE' ? `port ${port} is already in use` : (e as Error).message}`);
    return 1;
  }
  const st = store.state;
  out(`Shopify sandbox store (Admin API 2026-10, ${plan} plan: ${PLANS[plan].restoreRate} points/s, bucket ${PLANS[plan].maximumAvailable})`);
  out(`  url             ${store.url}`);
  out(`  graphql         ${store.url}/admin/api/2026-10/graphql.json`);
  out(`  shop domain     ${store.shopDomain}`);
  out(`  access token    ${store.accessToken}`);
  out(`  webhook secret  ${store.webhookSecret}  (${secretFrom})`);
  out(`  client id       ${store.clientId} (client credentials grant: POST ${store.url}/admin/oauth/access_token)`);
  out(
    `  scenario        ${scenarioFile}: ${st.variants.size} variants, ${st.locations.size} locations, ${st.orders.size} orders, ${st.payouts.length} payouts`,
  );
  out(`  webhooks        ${webhookUrl ?? 'off (--webhook-url URL to send them)'}`);
  out('Stop with Ctrl-C.');
  const why = await (io.stopSignal ?? untilSignal());
  await store.stop();
  out(`sandbox store stopped${typeof why === 'string' ? ` (${why})` : ''}`);
  return 0;
}
