# The scenario month's month-end trial balance, worked out from month.json as an accountant would book it, without
# any Ledgerline code: invoices (goods only: gift cards are a liability), the gift-card journal, credit memos, the
# two payout journals (one line per account and side), and the settlements (each invoice / credit memo a payout
# paid, the chargeback reopening its order). The goodwill refund is sent after the close and is not in it.
# Run: python3 expected.py  -> expected.json
import json, os
from decimal import Decimal as D
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
m = json.load(open(os.path.join(HERE, 'month.json')))
acc = defaultdict(lambda: [D(0), D(0)])  # account -> [debits, credits]
def post(lines):
    assert sum(d for _, d, _ in lines) == sum(c for _, _, c in lines), lines
    for a, d, c in lines:
        if d: acc[a][0] += d
        if c: acc[a][1] += c

kinds = m['kinds']
paid = [o for o in m['orders'] if kinds[str(o['id'])] not in ('voided', 'pending')]
invoice = {}
for o in paid:
    gift = sum((D(l['price']) * l['quantity'] - D(l['total_discount']) for l in o['line_items'] if l['gift_card']), D(0))
    gross, tax = D(o['total_price']) - gift, D(o['total_tax'])
    invoice[o['id']] = gross
    post([('1100', gross, 0), ('4000', 0, gross - tax), ('2100', 0, tax)])
    if gift:
        redeemed = sum((D(t['amount']) for t in o.get('transactions', []) if t['gateway'] == 'gift_card'), D(0))
        post([('1190', gift, 0), ('2300', 0, gift), ('2300', redeemed, 0), ('1190', 0, redeemed)])
memo = {}
for r in m['refunds']:
    gross = D(r['transactions'][0]['amount'])
    tax = sum((D(str(l['total_tax'])) for l in r['refund_line_items']), D(0)) + sum((D(l['tax_amount_set']['shop_money']['amount']) for l in r['refund_shipping_lines']), D(0))
    memo[r['transactions'][0]['id']] = gross
    post([('4000', gross - tax, 0), ('2100', tax, 0), ('1100', 0, gross)])
for p in m['payouts']:
    txs = [t for t in m['balanceTransactions'] if t['payout_id'] == p['id']]
    by = lambda *types: sum((D(t['amount']) for t in txs if t['type'] in types), D(0))
    fees = sum((D(t['fee']) for t in txs), D(0))
    lines = {'1000': D(p['amount']), '6100': fees, '6200': -(by('adjustment') + by('dispute')), '1190': -(by('charge') + by('refund'))}
    post([(a, v if v > 0 else D(0), -v if v < 0 else D(0)) for a, v in lines.items() if v])
    settle = []
    for t in txs:
        if t['type'] == 'charge': settle += [('1190', invoice[t['source_order_id']], 0), ('1100', 0, invoice[t['source_order_id']])]
        elif t['type'] == 'refund': settle += [('1100', memo[t['source_order_transaction_id']], 0), ('1190', 0, memo[t['source_order_transaction_id']])]
        elif t['type'] == 'dispute': settle += [('1100', -D(t['amount']), 0), ('6200', 0, -D(t['amount']))]
    post(settle)
rows = [{'account': a, 'opening': '0.00', 'debits': f'{d:.2f}', 'credits': f'{c:.2f}', 'closing': f'{d - c:.2f}'} for a, (d, c) in sorted(acc.items())]
cb = next(o for o in m['orders'] if o['id'] == m['chargebackOrder'])
out = {'month': '2026-03', 'accounts': rows, 'receivableOpen': cb['total_price'], 'chargebackOrder': str(cb['id'])}
json.dump(out, open(os.path.join(HERE, 'expected.json'), 'w'), indent=1)
for r in rows: print(r)
