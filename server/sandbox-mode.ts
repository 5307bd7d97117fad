// Sandbox mode: on an empty data dir the server wires a Shopify sandbox store (in-process, on a free loopback port)
// and the sandbox ERP as the connections `sandbox-shop` and `sandbox-erp`, so flows run without any account.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { keptShop } from './sandbox/kept-shop.ts';
import type { Connections } from './vault/connections.ts';
import type { SecretStore } from './vault/secrets.ts';

export const SANDBOX_SHOP = 'sandbox-shop';
export const SANDBOX_ERP = 'sandbox-erp';
/** The sandbox shop sells in GBP (nodes/shopify/sandbox/scenarios/default.json), so the sandbox ERP company books in
 * GBP too: its payouts are then journals the ERP can take, rather than a currency mismatch on every month-end. */
export const SANDBOX_CURRENCY = 'GBP';
const MARKER = 'sandbox-mode';

interface SandboxStoreLike {
  url: string;
  shopDomain: string;
  accessToken: string;
  webhookSecret: string;
  stats?: { requests: number };
  setWebhookTarget?(url: string | undefined): void;
  state?: { snapshot(): unknown; changes?: number };
  stop(): Promise<void>;
}

export interface SandboxMode {
  readonly store?: SandboxStoreLike;
  /** Starts the sandbox store (once); settles when it is up or failed to start (which is logged). */
  start(delayMs: number): Promise<void>;
  /**
   * Called once the store is up; `fromSeed` when it started from its seed rather than from the state kept in the data
   * dir (a new sandbox, or one whose kept state was set aside).
   */
  onReady(fn: (s: { fromSeed: boolean }) => void): void;
  /** Points the sandbox store's webhooks at this server once it listens, and starts the store soon after. */
  attach(baseUrl: string, delayMs?: number): void;
  stop(): Promise<void>;
}

export const isSandboxMode = async (secrets: SecretStore) => (await secrets.get(MARKER)) === 'on';

/**
 * `serving: false` (a worker or scheduler process): the sandbox store is started by the web processes, which point
 * `sandbox-shop` at it; this process leaves that connection as they set it.
 */
export async function startSandboxMode(o: {
  fresh: boolean;
  connections: Connections;
  secrets: SecretStore;
  log: Logger;
  env: NodeJS.ProcessEnv;
  serving?: boolean;
  /** Where the sandbox shop keeps its state between starts (sandbox-shop.json); without it the shop starts from its seed each time. */
  dataDir?: string;
}): Promise<SandboxMode | null> {
  if (o.fresh && o.env.LEDGERLINE_SANDBOX !== '0') await o.secrets.set(MARKER, 'on');
  if (!(await isSandboxMode(o.secrets))) return null;

  let webhookSecret = o.env.LEDGERLINE_SANDBOX_WEBHOOK_SECRET || (await o.secrets.get('sandbox-webhook-secret'));
  if (!webhookSecret) webhookSecret = 'shpss_' + randomBytes(16).toString('hex');
  await o.secrets.set('sandbox-webhook-secret', webhookSecret);
  const accessToken = (await o.secrets.get('sandbox-access-token')) ?? 'shpat_' + randomBytes(16).toString('hex');
  await o.secrets.set('sandbox-access-token', accessToken);

  const shopDomain = 'ledgerline-sandbox.myshopify.com';
  const shop = (endpoint?: string) => ({
    provider: 'sandbox',
    name: 'Sandbox shop',
    config: { shopDomain, ...(endpoint ? { endpoint } : {}) },
    secrets: { accessToken, webhookSecret },
  });
  // The connections exist at once (webhooks verify from the first second); the store's GraphQL endpoint follows
  // when it has loaded Shopify's schema (~1 s), which must not hold up the server becoming healthy.
  if (await o.connections.find(SANDBOX_SHOP)) {
    if (o.serving !== false) await o.connections.update(SANDBOX_SHOP, shop());
  } else await o.connections.create({ id: SANDBOX_SHOP, kind: 'shopify', ...shop() });
  const erp = await o.connections.find(SANDBOX_ERP);
  // LEDGERLINE_SANDBOX_ERP_URL: the sandbox ERP runs in its own process (nodes/erp/sandbox/http-main.ts), reached over HTTP.
  const erpUrl = o.env.LEDGERLINE_SANDBOX_ERP_URL;
  if (!erp)
    await o.connections.create({
      id: SANDBOX_ERP,
      kind: 'erp',
      provider: 'sandbox',
      name: 'Sandbox ERP',
      config: { currency: SANDBOX_CURRENCY, ...(erpUrl ? { url: erpUrl } : {}) },
    });
  // Data dirs made before the company had a currency kept the connector's USD default, which refuses the shop's payouts.
  else if (erp.provider === 'sandbox' && !erp.config.currency)
    await o.connections.update(SANDBOX_ERP, { config: { ...erp.config, currency: SANDBOX_CURRENCY } });

  // A real shop keeps its orders, stock and payouts when Ledgerline restarts, as the sandbox ERP's file does; a shop
  // back at its seed beside an ERP that remembers raised every SKU as drifting again and forgot what it had paid out.
  const kept = o.dataDir ? keptShop(join(o.dataDir, 'sandbox-shop.json'), o.log) : undefined;
  let store: SandboxStoreLike | undefined;
  let target: string | undefined;
  let stopped = false;
  let started: Promise<void> | undefined;
  let ready: { fromSeed: boolean } | undefined;
  const waiting: Array<(s: { fromSeed: boolean }) => void> = [];
  const startStore = async () => {
    try {
      const mod = (await import('../nodes/shopify/sandbox/server.ts')) as { startShopifySandbox(opts: Record<string, unknown>): Promise<SandboxStoreLike> };
      const { defaultScenario } = await import('../nodes/shopify/sandbox/state.ts');
      // The demo shop's own payouts pay out orders the sandbox ERP never received, so they could never reconcile:
      // in sandbox mode payouts come only from the sandbox panel, built from the orders it sent (server/sandbox).
      const seed = { ...defaultScenario(), payouts: [], balanceTransactions: [] };
      const snapshot = await kept?.load();
      const opts = { port: 0, webhookSecret, accessToken, shopDomain, seed };
      let s: SandboxStoreLike;
      let fromSeed = !snapshot;
      try {
        s = await mod.startShopifySandbox({ ...opts, snapshot });
      } catch (e) {
        if (!snapshot || !kept) throw e;
        await kept.setAside(e as Error);
        s = await mod.startShopifySandbox(opts);
        fromSeed = true;
      }
      if (stopped) return void (await s.stop());
      store = s;
      kept?.watch(s);
      await o.connections.update(SANDBOX_SHOP, shop(s.url));
      if (target) s.setWebhookTarget?.(target);
      o.log.info({ shop: s.url, connections: [SANDBOX_SHOP, SANDBOX_ERP] }, 'sandbox mode: Shopify sandbox store ready');
      ready = { fromSeed };
      for (const fn of waiting.splice(0)) fn(ready);
    } catch (e) {
      o.log.warn({ err: (e as Error).message.split('\n')[0] }, 'Shopify sandbox store unavailable; sandbox-shop accepts webhooks but has no API');
    }
  };
  // Loading Shopify's schema blocks the event loop for about a second, so by default it happens a moment after
  // the server listens, never in the way of the first health check.
  const start = (delayMs: number) => (started ??= new Promise<void>((r) => setTimeout(r, delayMs)).then(() => (stopped ? undefined : startStore())));

  return {
    get store() {
      return store;
    },
    start,
    onReady(fn) {
      if (ready) fn(ready);
      else waiting.push(fn);
    },
    attach(baseUrl, delayMs = 1500) {
      target = `${baseUrl}/webhooks/shopify/${SANDBOX_SHOP}`;
      store?.setWebhookTarget?.(target);
      void start(delayMs);
    },
    async stop() {
      stopped = true;
      await started;
      await store?.stop();
      await kept?.close();
    },
  };
}
