// Builds an ErpConnector from a stored connection config. Hosts keep one connector per connection id (the
// connector owns the per-connection concurrency/rate limits, so build it once and reuse it).
import { z } from 'zod';
import { permanentError } from '../../runtime/node-api.ts';
import type { ErpConnector } from './contract.ts';
import { createSandboxErp } from './sandbox/index.ts';
import { createTrytonConnector } from './tryton/connector.ts';

const tryton = z.object({
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
}).strict();

const sandbox = z.object({
  kind: z.literal('sandbox'),
  dataDir: z.string().optional(),
  file: z.string().optional(),
  seed: z.boolean().optional(),
  postInvoices: z.boolean().optional(),
}).strict();

export const erpConnectionConfigSchema = z.discriminatedUnion('kind', [tryton, sandbox]);
export type ErpConnectionConfig = z.input<typeof erpConnectionConfigSchema>;

/** Never echoes the config back in errors: it holds credentials. */
export function createErpConnection(config: ErpConnectionConfig): ErpConnector {
  const r = erpConnectionConfigSchema.safeParse(config);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw permanentError(`invalid ERP connection config: ${issues.join('; ')}`, { code: 'BAD_CONNECTION', details: { issues } });
  }
  const c = r.data;
  switch (c.kind) {
    case 'tryton':
      return createTrytonConnector(c);
    case 'sandbox':
      return createSandboxErp(c);
  }
}
