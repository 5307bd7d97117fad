// Realistic sample outputs (as the sandbox ERP returns them) so mappings can be designed before a first run.
import type { ErpCreditMemo, ErpCustomer, ErpFulfilment, ErpJournalEntry, ErpSalesOrder, LedgerLine } from '../contract.ts';

export const sampleCustomer: ErpCustomer & { created: boolean } = {
  id: '12',
  externalId: '115310627314723954',
  name: 'Bob Norman',
  email: 'bob.norman@mail.example.com',
  phone: '+16136120707',
  created: true,
};

export const sampleSalesOrder: ErpSalesOrder & { created: boolean } = {
  id: '41',
  externalId: '820982911946154508',
  number: 'SO00041',
  reference: '#1001',
  customer: { id: '12', externalId: '115310627314723954', name: 'Bob Norman' },
  currency: 'USD',
  date: '2026-11-27',
  paymentTerms: null,
  status: 'open',
  warehouse: 'WH',
  lines: [
    {
      sku: 'IPOD2008GREEN',
      description: 'IPod Nano - 8GB Green',
      quantity: '2',
      unitPrice: '199.00',
      discount: '10.00',
      taxCode: 'US-SALES-10',
      net: '388.00',
      taxAmount: '38.80',
      warehouse: 'WH',
    },
    {
      sku: 'MUG-BLACK',
      description: 'Black Mug',
      quantity: '1',
      unitPrice: '12.00',
      discount: '0.00',
      taxCode: null,
      net: '12.00',
      taxAmount: '0.00',
      warehouse: 'WH',
    },
  ],
  shipping: [{ description: 'Standard Shipping', amount: '10.00', discount: '0.00', taxCode: 'US-SALES-10', net: '10.00', taxAmount: '1.00' }],
  totals: { net: '410.00', tax: '39.80', gross: '449.80' },
  created: true,
};

export const sampleFulfilment: ErpFulfilment = {
  id: '7',
  number: 'SHP00007',
  salesOrderId: '41',
  externalOrderId: '820982911946154508',
  warehouse: 'WH',
  completedAt: '2026-11-27T14:03:11.412Z',
  lines: [
    { sku: 'IPOD2008GREEN', quantity: '2' },
    { sku: 'MUG-BLACK', quantity: '1' },
  ],
  tracking: { number: '1Z999AA10123456784', company: 'UPS', url: null },
};

export const sampleCreditMemo: ErpCreditMemo & { created: boolean } = {
  id: '3',
  externalId: '509562969',
  number: 'CM00003',
  salesOrderId: '41',
  orderExternalId: '820982911946154508',
  customer: { id: '12', externalId: '115310627314723954', name: 'Bob Norman' },
  currency: 'USD',
  date: '2026-11-28',
  restock: true,
  lines: [{ sku: 'IPOD2008GREEN', quantity: '1', unitPrice: '194.00', taxCode: 'US-SALES-10', net: '194.00', taxAmount: '19.40' }],
  shipping: [{ description: 'Shipping refund', net: '10.00', taxCode: 'US-SALES-10', taxAmount: '1.00' }],
  totals: { net: '204.00', tax: '20.40', gross: '224.40' },
  created: true,
};

export const sampleJournal: ErpJournalEntry & { created: boolean } = {
  id: '88',
  externalId: '623721858',
  number: 'JE00088',
  date: '2026-11-27',
  description: 'Shopify payout 623721858',
  posted: true,
  lines: [
    { account: '1000', debit: '41.90', credit: '0.00', description: 'Bank deposit' },
    { account: '6100', debit: '2.10', credit: '0.00', description: 'Shopify fees' },
    { account: '1190', debit: '0.00', credit: '44.00', description: 'Shopify clearing' },
  ],
  totals: { debit: '44.00', credit: '44.00' },
  created: true,
};

export const sampleLedgerLine: LedgerLine = {
  id: '412',
  entryId: '88',
  entryNumber: 'JE00088',
  date: '2026-11-27',
  account: '1190',
  debit: '0.00',
  credit: '44.00',
  description: 'Shopify clearing',
  source: { type: 'journal', externalId: '623721858', number: 'JE00088' },
  reconciled: false,
};
