// erp.upsert-customer: creates or updates the ERP customer keyed by the Shopify customer id.
import { z } from 'zod';
import { defineNode } from '../../../runtime/node-api.ts';
import { customerSchema, parseInput } from '../shared/schemas.ts';
import type { CustomerInput, ErpCustomer } from '../contract.ts';
import { sampleCustomer } from './samples.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z.object({ connection: connectionField }).strict();

export const upsertCustomerNode = defineNode<z.infer<typeof config>, CustomerInput, ErpCustomer & { created: boolean }>({
  type: 'erp.upsert-customer',
  version: 1,
  title: 'Upsert ERP customer',
  category: 'erp',
  description:
    'Creates the ERP customer whose external id is the Shopify customer id, or updates its name and contact details. ' +
    'Input: { externalId, name, email?, phone?, address? }. Output: the customer as the ERP stored it, with `created`.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpCustomerInput' }],
  outputs: [{ id: 'out', dataType: 'ErpCustomer' }],
  // Declared so the mapping before this node lists these fields as its targets (and validation checks them).
  input: customerSchema,
  idempotent: true,
  sampleOutput: sampleCustomer,
  async execute(ctx, input) {
    requireObject(ctx, input, 'a customer');
    const erp = await erpConnection(ctx, ['customers']);
    const r = await withNode(ctx, () => erp.upsertCustomer(input));
    return { ...r.document, created: r.created };
  },
  // The customer it would create or update; downstream sees it as the ERP would return it, with no ERP id yet.
  async dryRun(ctx, input) {
    requireObject(ctx, input, 'a customer');
    await erpConnection(ctx, ['customers']);
    const c = await withNode(ctx, async () => parseInput(customerSchema, input, 'customer'));
    return {
      writes: [{ system: 'erp', action: 'create or update customer', key: c.externalId, document: c }],
      output: { id: '', externalId: c.externalId, name: c.name, email: c.email ?? null, phone: c.phone ?? null, created: false },
    };
  },
});
