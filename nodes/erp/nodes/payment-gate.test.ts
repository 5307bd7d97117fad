// erp.payment-gate: which orders reach the ERP. A B2B order on net terms and a cash-on-delivery order are pending in
// Shopify until long after they ship: held back until paid, neither could be shipped from the ERP.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSkipped } from '../../../runtime/node-api.ts';
import { orderFromRest } from '../../shopify/convert-rest.ts';
import { parseJsonLossless } from '../../shopify/lossless-json.ts';
import { paymentGateNode } from './payment-gate.ts';
import { run } from './test-context.ts';

const order = (over: Record<string, unknown> = {}) => ({
  id: 'gid://shopify/Order/1',
  name: '#1001',
  financialStatus: 'PENDING',
  cancelledAt: null,
  test: false,
  paymentGateways: ['shopify_payments'],
  paymentTerms: null,
  ...over,
});
const gate = (config: Record<string, unknown>, o: Record<string, unknown>) => run(paymentGateNode, config, null, { kind: 'order', order: o });
const NET_30 = { type: 'NET', name: 'Net 30', dueInDays: 30 };

describe('erp.payment-gate', () => {
  it('lets paid and authorised orders through and skips pending, voided and expired ones, naming the status', async () => {
    for (const s of ['PAID', 'PARTIALLY_PAID', 'AUTHORIZED', 'paid']) expect(isSkipped(await gate({}, order({ financialStatus: s }))), s).toBe(false);
    for (const s of ['PENDING', 'VOIDED', 'EXPIRED', 'REFUNDED']) {
      const out = await gate({}, order({ financialStatus: s }));
      expect(out, s).toMatchObject({ code: 'PAYMENT_NOT_CAPTURED' });
      expect((out as { message: string }).message).toContain(`financial status ${s.toLowerCase()}`);
    }
  });

  it('lets a pending order on payment terms (B2B net 30) through, unless the flow turns that off', async () => {
    const b2b = order({ paymentTerms: NET_30, paymentGateways: [] });
    expect(await gate({}, b2b)).toEqual({ kind: 'order', order: b2b });
    expect(await gate({ paymentTerms: false }, b2b)).toMatchObject({ code: 'PAYMENT_NOT_CAPTURED' });
    // Terms never let a voided or cancelled order through.
    expect(await gate({}, order({ paymentTerms: NET_30, financialStatus: 'VOIDED' }))).toMatchObject({ code: 'PAYMENT_NOT_CAPTURED' });
    expect(await gate({}, order({ paymentTerms: NET_30, cancelledAt: '2026-03-03T08:00:00Z' }))).toMatchObject({ code: 'ORDER_CANCELLED' });
  });

  it('lets a pending cash-on-delivery order through only when the flow names the method; the skip says which setting would', async () => {
    const cod = order({ paymentGateways: ['Cash on Delivery (COD)'] });
    const skipped = (await gate({}, cod)) as { message: string; details: Record<string, unknown> };
    expect(skipped).toMatchObject({ code: 'PAYMENT_NOT_CAPTURED', details: { gateways: ['Cash on Delivery (COD)'] } });
    expect(skipped.message).toContain('paid by Cash on Delivery (COD): list a method in unpaidGateways');
    expect(isSkipped(await gate({ unpaidGateways: ['cash on delivery (cod)'] }, cod))).toBe(false);
    // A pending card payment is not let through by a COD setting: every gateway of the order must be named.
    expect(
      await gate({ unpaidGateways: ['Cash on Delivery (COD)'] }, order({ paymentGateways: ['Cash on Delivery (COD)', 'shopify_payments'] })),
    ).toMatchObject({
      code: 'PAYMENT_NOT_CAPTURED',
    });
    expect(await gate({ unpaidGateways: ['Cash on Delivery (COD)'] }, order())).toMatchObject({ code: 'PAYMENT_NOT_CAPTURED' });
  });

  it('reads the terms of an order webhook (REST payment_terms) through the converter, null when Shopify sends none', async () => {
    const raw = parseJsonLossless(
      readFileSync(new URL('../../../../shared/fixtures/shopify/webhook-2026-04.orders.paid.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    expect(orderFromRest(raw).paymentTerms).toBeNull();
    raw.payment_terms = { payment_terms_name: 'Net 30', payment_terms_type: 'net', due_in_days: 30, payment_schedules: [] };
    raw.financial_status = 'pending';
    raw.cancelled_at = null;
    raw.test = false;
    const converted = orderFromRest(raw);
    expect(converted.paymentTerms).toEqual(NET_30);
    expect(isSkipped(await gate({}, converted as unknown as Record<string, unknown>))).toBe(false);
  });
});
