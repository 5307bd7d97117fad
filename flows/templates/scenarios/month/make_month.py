# Generates the scenario month (month.json): 44 Shopify orders (USD shop; presented in USD or GBP), refunds, two
# Shopify Payments payouts with fees, an adjustment and a chargeback, as the sandbox store and webhooks take them.
# Order and refund payloads come from ../make.py's generators (Shopify's published example, amounts with Decimal).
# Run: python3 make_month.py   (then python3 expected.py computes the month-end trial balance independently)
import json, os
from decimal import Decimal as D, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(HERE, '..', 'make.py')).read().split('\nout = {}')[0].replace("os.path.dirname(os.path.abspath(__file__))", repr(os.path.join(HERE, '..')))
g = {}
exec(src, g)
order, refund, c2, s = g['order'], g['refund'], g['c2'], g['s']

SKUS = [('TSHIRT-RED-M', '20.00'), ('MUG-BLACK', '12.00'), ('SKU2006-001', '19.99'), ('SKU2006-020', '24.00'), ('CASE-LEATHER-PREM', '49.00'), ('SKU2006-035', '12.50')]
WH, WH2 = 24826418, 487838322

def dated(o, day):
    t = f'2026-03-{day:02d}T10:15:00+00:00'
    o.update({'created_at': t, 'processed_at': t, 'updated_at': t})
    return o

orders, kinds = [], {}
for n in range(1, 37):  # 36 plain orders, 10 % sales tax, every third presented in GBP
    sku, price = SKUS[n % len(SKUS)]
    gbp = n % 3 == 0
    o = order(100 + n, cur='USD', pres='GBP' if gbp else None, fx='0.79' if gbp else None, location=WH if n % 2 else WH2,
              lines=[{'sku': sku, 'price': price, 'qty': 1 + n % 3, 'taxes': [('Sales Tax', '0.10')]}])
    orders.append(dated(o, 1 + n % 20)); kinds[o['id']] = 'plain'
vat = dated(order(140, cur='USD', pres='GBP', fx='0.79', incl=True, country='GB', province=None, location=WH,
                  lines=[{'sku': 'TSHIRT-RED-M', 'price': '24.00', 'qty': 2, 'taxes': [('GB VAT', '0.20')]}], shipping=[{'title': 'Royal Mail', 'price': '4.80', 'taxes': [('GB VAT', '0.20')]}]), 3)
multi = dated(order(141, cur='USD', location=WH2, lines=[{'sku': 'SKU2006-001', 'price': '19.99', 'qty': 2, 'taxes': [('State Tax', '0.06'), ('County Tax', '0.015')]}],
                    shipping=[{'title': 'UPS Ground', 'price': '8.00', 'taxes': [('State Tax', '0.06')]}]), 4)
gift = dated(order(142, cur='USD', location=WH, gateways=('gift_card', 'shopify_payments'),
                   lines=[{'sku': 'GIFTCARD', 'name': 'Gift Card $50', 'price': '50.00', 'gift_card': True}, {'sku': 'MUG-BLACK', 'price': '12.00', 'qty': 2, 'taxes': [('Sales Tax', '0.10')]}]), 6)
# Paid 30.00 with a gift card sold last month, the rest by card: Shopify Payments charges total − 30.00.
card = D(gift['total_price']) - D('30.00')
gift['transactions'] = [{'id': 7142000001, 'kind': 'sale', 'status': 'success', 'gateway': 'gift_card', 'amount': '30.00', 'currency': 'USD'},
                        {'id': 7142000002, 'kind': 'sale', 'status': 'success', 'gateway': 'shopify_payments', 'amount': s(card), 'currency': 'USD'}]
voided = dated(order(143, lines=[{'sku': 'MUG-BLACK', 'price': '12.00', 'taxes': [('Sales Tax', '0.10')]}]), 7); voided['financial_status'] = 'voided'
pending = dated(order(144, lines=[{'sku': 'MUG-BLACK', 'price': '12.00', 'taxes': [('Sales Tax', '0.10')]}]), 8); pending['financial_status'] = 'pending'
for o, k in ((vat, 'vat-inclusive'), (multi, 'multi-tax'), (gift, 'gift-card'), (voided, 'voided'), (pending, 'pending')):
    orders.append(o); kinds[o['id']] = k

def dated_refund(r, day):
    t = f'2026-03-{day:02d}T09:00:00+00:00'
    r.update({'created_at': t, 'processed_at': t})
    for x in r['transactions']: x.update({'created_at': t, 'processed_at': t})
    return r

by_id = {o['id']: o for o in orders}
o_a, o_b = orders[0], orders[1]   # order 101 (location WH), order 102 (location WH2)
def line_refund(n, o, qty, day, location, note=None):
    li = o['line_items'][0]
    sub = D(li['price']) * qty
    tax = c2(sub * D('0.10'))
    r = refund(n, o, lines=[{'sku': li['sku'], 'qty': qty, 'subtotal': s(sub), 'tax': s(tax), 'restock': True}], note=note)
    r['refund_line_items'][0]['location_id'] = location
    return dated_refund(r, day)
refunds = [
    line_refund(101, o_a, 1, 9, WH),                     # partial, restocked at the Leeds warehouse (WH)
    line_refund(102, o_b, 1, 10, WH2),                   # partial, restocked at the London shop (WH2)
    dated_refund(refund(103, multi, shipping={'subtotal': '8.00', 'tax': '0.48'}, note='Late delivery'), 11),  # shipping only
]
# Goodwill: the refund's lines say a whole T-shirt (20.00 + 2.00 tax) but only 10.00 went back to the card.
o_g = next(o for o in orders if o['line_items'][0]['sku'] == 'TSHIRT-RED-M' and kinds[o['id']] == 'plain' and o['id'] not in (o_a['id'], o_b['id']))
goodwill = line_refund(104, o_g, 1, 27, WH, note='Goodwill: keep the shirt')
goodwill['transactions'][0]['amount'] = '10.00'
goodwill['refund_line_items'][0]['restock_type'] = 'no_restock'

# Shopify Payments: a charge per paid order (the gift-card order: only what the card paid), 2.9 % + 0.30 fee.
fee = lambda amount: c2(D(amount) * D('0.029') + D('0.30'))
txs, tid = [], 9100000000
def tx(kind, amount, fee_, date, payout, order_id=None, source_type=None, order_tx=None, reason=None):
    global tid
    tid += 1
    txs.append({'id': tid, 'type': kind, 'test': False, 'payout_id': payout, 'payout_status': 'paid', 'currency': 'USD', 'amount': s(amount), 'fee': s(fee_), 'net': s(D(amount) - D(fee_)),
                'source_id': tid + 500, 'source_type': source_type or kind, 'source_order_id': order_id, 'source_order_transaction_id': order_tx, 'processed_at': date,
                'adjustment_order_transactions': [], 'adjustment_reason': reason})
P1, P2 = 9200000001, 9200000002
paid = [o for o in orders if kinds[o['id']] not in ('voided', 'pending')]
for o in paid:
    amount = card if o is gift else D(o['total_price'])
    day = int(o['created_at'][8:10])
    tx('charge', amount, fee(amount), o['created_at'].replace('+00:00', 'Z'), P1 if day <= 10 else P2, o['id'], 'charge', o['id'] + 1)
for r in refunds:
    rt = r['transactions'][0]
    tx('refund', -D(rt['amount']), D(0), r['created_at'].replace('+00:00', 'Z'), P1 if int(r['created_at'][8:10]) <= 10 else P2, r['order_id'], 'refund', rt['id'])
tx('adjustment', D('1.25'), D(0), '2026-03-12T02:00:00Z', P2, None, 'adjustment', None, 'fee_refund')
cb = orders[2]  # order 103, paid out in P1, disputed
tx('dispute', -D(cb['total_price']), D('15.00'), '2026-03-25T08:00:00Z', P2, cb['id'], 'dispute', cb['id'] + 1)
payouts = []
for pid, date in ((P1, '2026-03-12'), (P2, '2026-03-28')):
    mine = [t for t in txs if t['payout_id'] == pid]
    tot = lambda types, f: s(sum((D(t[f]) for t in mine if t['type'] in types), D(0)))
    payouts.append({'id': pid, 'status': 'paid', 'date': date, 'currency': 'USD', 'amount': s(sum((D(t['net']) for t in mine), D(0))),
                    'summary': {'charges_gross_amount': tot(['charge'], 'amount'), 'charges_fee_amount': tot(['charge'], 'fee'), 'refunds_gross_amount': tot(['refund'], 'amount'),
                                'refunds_fee_amount': tot(['refund'], 'fee'), 'adjustments_gross_amount': tot(['adjustment', 'dispute'], 'amount'), 'adjustments_fee_amount': tot(['adjustment', 'dispute'], 'fee'),
                                'reserved_funds_gross_amount': '0.00', 'reserved_funds_fee_amount': '0.00', 'retried_payouts_gross_amount': '0.00', 'retried_payouts_fee_amount': '0.00'}})

month = {'shop': {'name': 'Scenario month', 'currency': 'USD'}, 'kinds': {str(k): v for k, v in kinds.items()},
         'orders': orders, 'refunds': refunds, 'goodwillRefund': goodwill, 'chargebackOrder': cb['id'], 'payouts': payouts, 'balanceTransactions': txs}
with open(os.path.join(HERE, 'month.json'), 'w') as f:
    json.dump(month, f, indent=1)
    f.write('\n')
print(f"{len(orders)} orders ({len(paid)} paid), {len(refunds) + 1} refunds, {len(payouts)} payouts, {len(txs)} balance transactions")
