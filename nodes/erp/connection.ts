// Builds an ErpConnector from a stored connection config. Hosts keep one connector per connection id (the
// connector owns the per-connection concurrency/rate limits, so build it once and reuse it).
import { z } from 'zod';
import { permanentError } from '../../runtime/node-api.ts';
import type { ErpConnector } from './contract.ts';
import { createBusinessCentralConnector } from './business-central/connector.ts';
import { createNetSuiteConnector } from './netsuite/connector.ts';
import { createSandboxErp } from './sandbox/index.ts';
import { createSandboxErpClient } from './sandbox/http-client.ts';
import { createTrytonConnector } from './tryton/connector.ts';

const tryton = z
  .object({
    kind: z.literal('tryton'),
    url: z.string().url(),
    database: z.string().min(1),
    user: z.string().min(1),
    password: z.string().min(1),
    paymentTerm: z.string().optional(),
    journal: z.string().optional(),
    shippingSku: z.string().optional(),
    postInvoices: z.boolean().optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

const sandbox = z
  .object({
    kind: z.literal('sandbox'),
    /** A sandbox ERP served over HTTP by its own process (sandbox/http-main.ts); dataDir and file are then its business. */
    url: z.string().url().optional(),
    dataDir: z.string().optional(),
    file: z.string().optional(),
    seed: z.boolean().optional(),
    postInvoices: z.boolean().optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code like GBP')
      .optional(),
  })
  .strict();

const netsuite = z
  .object({
    kind: z.literal('netsuite'),
    accountId: z.string().regex(/^[0-9]+(_[A-Z0-9]+)?$/i, 'NetSuite account id like 1234567 or 1234567_SB1'),
    auth: z.discriminatedUnion('type', [
      z
        .object({
          type: z.literal('oauth2-m2m'),
          clientId: z.string().min(1),
          certificateId: z.string().min(1),
          privateKeyPem: z.string().includes('PRIVATE KEY'),
          algorithm: z.enum(['PS256', 'RS256', 'ES256']).optional(),
          scope: z.array(z.string()).optional(),
        })
        .strict(),
      z
        .object({
          type: z.literal('tba'),
          consumerKey: z.string().min(1),
          consumerSecret: z.string().min(1),
          tokenId: z.string().min(1),
          tokenSecret: z.string().min(1),
        })
        .strict(),
    ]),
    concurrency: z.number().int().min(1).max(100).optional(),
    baseUrl: z.string().url().optional(),
    subsidiaryId: z.string().optional(),
    discountItemId: z.string().optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

const businessCentral = z
  .object({
    kind: z.literal('business-central'),
    tenantId: z.string().min(1),
    environment: z.string().min(1),
    companyId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a company GUID'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    baseUrl: z.string().url().optional(),
    tokenUrl: z.string().url().optional(),
    concurrency: z.number().int().min(1).max(5).optional(),
    requestsPer5Min: z.number().int().min(1).max(6000).optional(),
    shippingItem: z.string().optional(),
    refundAccount: z.string().optional(),
    journalCode: z.string().optional(),
    localCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

export const erpConnectionConfigSchema = z.discriminatedUnion('kind', [tryton, sandbox, netsuite, businessCentral]);
export type ErpConnectionConfig = z.input<typeof erpConnectionConfigSchema>;

/**
 * A stored connection as the server's vault keeps it: `{ id?, kind | provider, config, secrets }`. Flattened to
 * `{ kind, ...config, ...secrets }`; for NetSuite, flat auth fields become `auth` (M2M when a private key is given,
 * else TBA).
 */
export interface StoredErpConnection {
  id?: string;
  kind?: string;
  provider?: string;
  config?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

const NS_AUTH_KEYS = ['clientId', 'certificateId', 'privateKeyPem', 'algorithm', 'scope', 'consumerKey', 'consumerSecret', 'tokenId', 'tokenSecret'];

export function flattenStoredConnection(input: StoredErpConnection | ErpConnectionConfig): Record<string, unknown> {
  const i = input as Record<string, unknown>;
  if (!('config' in i) && !('secrets' in i)) return i;
  const flat: Record<string, unknown> = { kind: i.kind ?? i.provider, ...((i.config as object) ?? {}), ...((i.secrets as object) ?? {}) };
  if (flat.kind === 'netsuite' && !flat.auth) {
    const auth: Record<string, unknown> = { type: flat.privateKeyPem ? 'oauth2-m2m' : 'tba' };
    for (const k of NS_AUTH_KEYS) {
      if (k in flat) {
        auth[k] = flat[k];
        delete flat[k];
      }
    }
    flat.auth = auth;
  }
  return flat;
}

/** Takes a flat config or a stored connection. Never echoes the config back in errors: it holds credentials. */
export function createErpConnection(config: ErpConnectionConfig | StoredErpConnection): ErpConnector {
  const r = erpConnectionConfigSchema.safeParse(flattenStoredConnection(config));
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw permanentError(`invalid ERP connection config: ${issues.join('; ')}`, { code: 'BAD_CONNECTION', details: { issues } });
  }
  const c = r.data;
  switch (c.kind) {
    case 'tryton':
      return createTrytonConnector(c);
    case 'sandbox':
      return c.url ? createSandboxErpClient({ url: c.url }) : createSandboxErp(c);
    case 'netsuite':
      return createNetSuiteConnector(c);
    case 'business-central':
      return createBusinessCentralConnector(c);
  }
}
