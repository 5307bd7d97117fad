# Generates the scenario webhook payloads in this folder from Shopify's published orders/paid example
# (../../../../shared/fixtures/shopify/webhook-2026-04.orders.paid.json): every amount is computed with Decimal the
# way Shopify does (tax per line on the discounted price, half-up to the cent). Run: python3 make.py
import copy, json, os
from decimal import Decimal as D, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = json.load(open(os.path.join(HERE, '../../../../shared/fixtures/shopify/webhook-2026-04.orders.paid.json')))
c2 = lambda x: D(x).quantize(D('0.01'), ROUND_HALF_UP)
s = lambda x: f'{c2(x):.2f}'
# Currencies without minor units: Shopify rounds their amounts (tax included) to the whole unit.
WHOLE = {'JPY', 'KRW'}
cq = lambda x, cur: D(x).quantize(D('1'), ROUND_HALF_UP) if cur in WHOLE else c2(x)
cs = lambda x, cur: f'{cq(x, cur):.0f}' if cur in WHOLE else s(x)

def bag(amount, cur, pres=None, rate=None):
    p = cq(D(amount) * D(rate), pres or cur) if rate else D(amount)
    return {'shop_money': {'amount': cs(amount, cur), 'currency_code': cur}, 'presentment_money': {'amount': cs(p, pres or cur), 'currency_code': pres or cur}}

def order(n, *, cur='USD', pres=None, fx=None, incl=False, lines, shipping=(), codes=(), location=None, country='US', province='KY', gateways=('shopify_payments',), customer=True, unallocated='0'):
    # unallocated: an order discount counted in total_discounts that Shopify allocated to no line (its published
    # example has one).
    o = copy.deepcopy(BASE)
    c2 = lambda x: cq(x, cur)
    s = lambda x: cs(x, cur)
    oid = 7100000000 + n
    o.update({'id': oid, 'admin_graphql_api_id': f'gid://shopify/Order/{oid}', 'name': f'#{5000 + n}', 'order_number': 5000 + n, 'number': 4000 + n,
              'currency': cur, 'presentment_currency': pres or cur, 'taxes_included': incl, 'financial_status': 'paid', 'cancelled_at': None, 'cancel_reason': None,
              'location_id': location, 'payment_gateway_names': list(gateways), 'test': False, 'created_at': '2026-03-02T10:15:00+00:00', 'processed_at': '2026-03-02T10:15:00+00:00',
              'updated_at': '2026-03-02T10:15:00+00:00'})
    for a in ('billing_address', 'shipping_address'):
        o[a]['country_code'] = country; o[a]['province_code'] = province
    if not customer: o['customer'] = None
    apps = [{'type': 'discount_code', 'title': c, 'code': c, 'description': None, 'value': v, 'value_type': 'percentage', 'allocation_method': 'across', 'target_selection': 'all', 'target_type': 'line_item'} for c, v in codes]
    o['discount_applications'] = apps
    o['discount_codes'] = [{'code': c, 'amount': '0.00', 'type': 'percentage'} for c, _ in codes]
    tot_lines = tot_disc = tot_tax = sub = D(0)
    o['line_items'] = []
    for i, l in enumerate(lines):
        price, qty, disc = D(l['price']), l.get('qty', 1), D(l.get('discount', '0'))
        gross = price * qty - disc
        taxes = []
        for title, rate in l.get('taxes', []):
            r = D(rate)
            amt = c2(gross * r / (1 + sum(D(x) for _, x in l['taxes'])) ) if incl else c2(gross * r)
            taxes.append({'title': title, 'rate': float(r), 'price': s(amt), 'price_set': bag(amt, cur, pres, fx), 'channel_liable': False})
            tot_tax += amt
        lid = oid * 10 + i
        o['line_items'].append({**copy.deepcopy(BASE['line_items'][0]), 'id': lid, 'admin_graphql_api_id': f'gid://shopify/LineItem/{lid}', 'sku': l['sku'], 'name': l.get('name', l['sku']), 'title': l.get('name', l['sku']),
            'quantity': qty, 'current_quantity': qty, 'price': s(price), 'price_set': bag(price, cur, pres, fx), 'total_discount': s(disc), 'total_discount_set': bag(disc, cur, pres, fx),
            'gift_card': l.get('gift_card', False), 'taxable': bool(taxes), 'tax_lines': taxes, 'product_id': l.get('product_id', 7000 + i), 'variant_id': l.get('variant_id', 70000 + i),
            'discount_allocations': [{'amount': s(disc), 'amount_set': bag(disc, cur, pres, fx), 'discount_application_index': 0}] if disc else []})
        tot_lines += price * qty; tot_disc += disc; sub += gross
    ship_total = D(0)
    o['shipping_lines'] = []
    for i, sh in enumerate(shipping):
        price = D(sh['price'])
        taxes = []
        for title, rate in sh.get('taxes', []):
            r = D(rate)
            amt = c2(price * r / (1 + r)) if incl else c2(price * r)
            taxes.append({'title': title, 'rate': float(r), 'price': s(amt), 'price_set': bag(amt, cur, pres, fx), 'channel_liable': False})
            tot_tax += amt
        sid = oid * 10 + 5 + i
        o['shipping_lines'].append({**copy.deepcopy(BASE['shipping_lines'][0]), 'id': sid, 'title': sh['title'], 'price': s(price), 'price_set': bag(price, cur, pres, fx),
            'discounted_price': s(price), 'discounted_price_set': bag(price, cur, pres, fx), 'tax_lines': taxes, 'discount_allocations': []})
        ship_total += price
    tot_disc += D(unallocated); sub -= D(unallocated)
    total = sub + ship_total + (D(0) if incl else tot_tax)
    for k, v in {'total_line_items_price': tot_lines, 'subtotal_price': sub, 'total_discounts': tot_disc, 'total_tax': tot_tax, 'total_price': total,
                 'current_subtotal_price': sub, 'current_total_discounts': tot_disc, 'current_total_tax': tot_tax, 'current_total_price': total, 'total_outstanding': D(0)}.items():
        o[k] = s(v); o[k + '_set'] = bag(v, cur, pres, fx)
    o['total_shipping_price_set'] = bag(ship_total, cur, pres, fx)
    o['current_shipping_price_set'] = bag(ship_total, cur, pres, fx)
    o['tax_lines'] = []
    return o

def refund(n, o, *, lines=(), shipping=None, status='success', note=None):
    rid = 7200000000 + n
    cur = o['currency']
    r = {'id': rid, 'admin_graphql_api_id': f'gid://shopify/Refund/{rid}', 'order_id': o['id'], 'created_at': '2026-03-05T09:00:00+00:00', 'processed_at': '2026-03-05T09:00:00+00:00',
         'note': note, 'restock': any(l.get('restock') for l in lines), 'user_id': None, 'duties': [], 'order_adjustments': [], 'refund_line_items': [], 'refund_shipping_lines': [], 'transactions': []}
    money = D(0)
    for i, l in enumerate(lines):
        li = next(x for x in o['line_items'] if x['sku'] == l['sku'])
        r['refund_line_items'].append({'id': rid * 10 + i, 'quantity': l['qty'], 'line_item_id': li['id'], 'location_id': o['location_id'], 'restock_type': 'return' if l.get('restock') else 'no_restock',
            'subtotal': float(D(l['subtotal'])), 'subtotal_set': bag(l['subtotal'], cur), 'total_tax': float(D(l['tax'])), 'total_tax_set': bag(l['tax'], cur), 'line_item': li})
        money += D(l['subtotal']) + (D(0) if o['taxes_included'] else D(l['tax']))
    if shipping:
        sl = o['shipping_lines'][0]
        r['refund_shipping_lines'].append({'id': rid * 10 + 9, 'shipping_line_id': sl['id'], 'subtotal_amount_set': bag(shipping['subtotal'], cur), 'tax_amount_set': bag(shipping['tax'], cur)})
        money += D(shipping['subtotal']) + (D(0) if o['taxes_included'] else D(shipping['tax']))
    r['transactions'].append({'id': rid + 1, 'admin_graphql_api_id': f'gid://shopify/OrderTransaction/{rid + 1}', 'order_id': o['id'], 'kind': 'refund', 'gateway': 'shopify_payments', 'status': status,
        'amount': s(money), 'currency': cur, 'created_at': r['created_at'], 'processed_at': r['created_at'], 'test': False, 'parent_id': None})
    return r

out = {}
uk = order(1, cur='GBP', incl=True, country='GB', province=None, location=24826418, codes=[('WELCOME10', '10.0')],
           lines=[{'sku': 'TSHIRT-RED-M', 'name': 'T-Shirt Red M', 'price': '19.99', 'qty': 3, 'discount': '6.00', 'taxes': [('GB VAT', '0.20')]},
                  {'sku': 'MUG-BLACK', 'name': 'Black Mug', 'price': '12.00', 'discount': '1.20', 'taxes': [('GB VAT', '0.20')]}],
           shipping=[{'title': 'Royal Mail Tracked 48', 'price': '4.20', 'taxes': [('GB VAT', '0.20')]}])
out['uk-vat-inclusive-discount.orders-paid.json'] = uk
out['uk-vat-inclusive-discount.refund-restock.json'] = refund(1, uk, lines=[{'sku': 'TSHIRT-RED-M', 'qty': 1, 'subtotal': '17.99', 'tax': '3.00', 'restock': True}])
out['uk-vat-inclusive-discount.refund-no-restock.json'] = refund(2, uk, lines=[{'sku': 'MUG-BLACK', 'qty': 1, 'subtotal': '10.80', 'tax': '1.80'}], note='Arrived broken')
out['uk-vat-inclusive-discount.refund-shipping-only.json'] = refund(3, uk, shipping={'subtotal': '4.20', 'tax': '0.70'}, note='Late delivery')
out['uk-vat-inclusive-discount.refund-pending.json'] = refund(4, uk, lines=[{'sku': 'TSHIRT-RED-M', 'qty': 1, 'subtotal': '17.99', 'tax': '3.00'}], status='pending')
us = order(2, cur='USD', location=None,
           lines=[{'sku': 'SKU2006-001', 'name': 'Aviator sunglasses', 'price': '89.99', 'qty': 2, 'taxes': [('State Tax', '0.06'), ('County Tax', '0.015')]},
                  {'sku': 'SKU2006-020', 'name': 'Mid-century lounger', 'price': '24.00', 'taxes': [('State Tax', '0.06'), ('County Tax', '0.015')]}],
           shipping=[{'title': 'UPS Ground', 'price': '12.50', 'taxes': [('State Tax', '0.06')]}])
out['us-state-county-shipping-tax.orders-paid.json'] = us
fx = order(3, cur='GBP', pres='USD', fx='1.25', country='US', province='NY', location=None,
           lines=[{'sku': 'MUG-BLACK', 'name': 'Black Mug', 'price': '12.00', 'qty': 2}], shipping=[{'title': 'International', 'price': '5.00'}])
out['presentment-usd-shop-gbp.orders-paid.json'] = fx
gc = order(4, cur='GBP', incl=True, country='GB', province=None, location=487838322, gateways=('gift_card', 'shopify_payments'),
           lines=[{'sku': 'GIFTCARD', 'name': 'Gift Card £50', 'price': '50.00', 'gift_card': True},
                  {'sku': 'TSHIRT-RED-M', 'name': 'T-Shirt Red M', 'price': '20.00', 'taxes': [('GB VAT', '0.20')]}])
out['gift-card-purchase-and-payment.orders-paid.json'] = gc
unknown = order(5, lines=[{'sku': 'NOT-IN-ERP-1', 'name': 'Discontinued lamp', 'price': '40.00'}, {'sku': 'MUG-BLACK', 'price': '12.00'}])
out['unknown-sku.orders-paid.json'] = unknown
tax = order(6, lines=[{'sku': 'MUG-BLACK', 'price': '12.00', 'taxes': [('Ohio Resort Tax', '0.07')]}])
out['unmapped-tax-rate.orders-paid.json'] = tax
loc = order(7, location=99001, lines=[{'sku': 'MUG-BLACK', 'price': '12.00'}])
out['unmapped-location.orders-paid.json'] = loc

def charged(o, n, *, tip, duties):
    # The UK order again (own ids) that the customer paid more for: a tip, Shopify's line item of its own (no product,
    # variant or SKU, untaxed, marked by tip_payment_gateway), and import duties paid at checkout (on a line and in the
    # order's duty totals); only the totals the customer paid move.
    t = copy.deepcopy(o)
    oid = 7100000000 + n
    cur = t['currency']
    t.update({'id': oid, 'admin_graphql_api_id': f'gid://shopify/Order/{oid}', 'name': f'#{5000 + n}', 'order_number': 5000 + n, 'number': 4000 + n})
    for i, li in enumerate(t['line_items']):
        li['id'] = oid * 10 + i; li['admin_graphql_api_id'] = f'gid://shopify/LineItem/{li["id"]}'
    tip_id = oid * 10 + 9
    t['line_items'].append({**copy.deepcopy(t['line_items'][0]), 'id': tip_id, 'admin_graphql_api_id': f'gid://shopify/LineItem/{tip_id}', 'name': 'Tip', 'title': 'Tip',
        'sku': None, 'product_id': None, 'variant_id': None, 'product_exists': False, 'requires_shipping': False, 'taxable': False, 'gift_card': False,
        'quantity': 1, 'current_quantity': 1, 'fulfillable_quantity': 0, 'price': s(tip), 'price_set': bag(tip, cur), 'total_discount': '0.00', 'total_discount_set': bag(0, cur),
        'tax_lines': [], 'discount_allocations': [], 'duties': [], 'tip_payment_gateway': 'shopify_payments', 'tip_payment_method': 'card'})
    t['line_items'][0]['duties'] = [{'id': str(oid), 'harmonized_system_code': '610910', 'country_code_of_origin': 'PT', **bag(duties, cur), 'tax_lines': [],
        'admin_graphql_api_id': f'gid://shopify/Duty/{oid}'}]
    t['original_total_duties_set'] = bag(duties, cur); t['current_total_duties_set'] = bag(duties, cur)
    t['total_tip_received'] = s(tip)
    for k in ('total_price', 'current_total_price'):
        t[k] = s(D(t[k]) + D(tip) + D(duties)); t[k + '_set'] = bag(t[k], cur)
    return t
out['uk-vat-inclusive-tip-duties.orders-paid.json'] = charged(uk, 8, tip='3.00', duties='4.50')
# A B2B order on net 30 terms: placed unpaid (pending, no payment gateway), Shopify's payment_terms say when it is due.
b2b = copy.deepcopy(uk)
oid = 7100000010
b2b.update({'id': oid, 'admin_graphql_api_id': f'gid://shopify/Order/{oid}', 'name': '#5010', 'order_number': 5010, 'number': 4010, 'financial_status': 'pending',
            'payment_gateway_names': [], 'total_outstanding': b2b['total_price'], 'total_outstanding_set': bag(b2b['total_price'], 'GBP'),
            'payment_terms': {'id': 7400000010, 'payment_terms_name': 'Net 30', 'payment_terms_type': 'net', 'due_in_days': 30,
                              'payment_schedules': [{'id': 7500000010, 'amount': b2b['total_price'], 'currency': 'GBP', 'issued_at': '2026-03-02T10:15:00+00:00',
                                                     'due_at': '2026-04-01T10:15:00+00:00', 'completed_at': None, 'expected_payment_method': None}]}})
for i, li in enumerate(b2b['line_items']):
    li['id'] = oid * 10 + i; li['admin_graphql_api_id'] = f'gid://shopify/LineItem/{li["id"]}'
for i, sl in enumerate(b2b['shipping_lines']):
    sl['id'] = oid * 10 + 5 + i
out['uk-b2b-net-terms.orders-create.json'] = b2b
# A cash-on-delivery order: placed unpaid (pending), the carrier collects the money; Shopify names the manual method.
cod = copy.deepcopy(uk)
oid = 7100000011
cod.update({'id': oid, 'admin_graphql_api_id': f'gid://shopify/Order/{oid}', 'name': '#5011', 'order_number': 5011, 'number': 4011, 'financial_status': 'pending',
            'gateway': 'Cash on Delivery (COD)', 'payment_gateway_names': ['Cash on Delivery (COD)'],
            'total_outstanding': cod['total_price'], 'total_outstanding_set': bag(cod['total_price'], 'GBP')})
for i, li in enumerate(cod['line_items']):
    li['id'] = oid * 10 + i; li['admin_graphql_api_id'] = f'gid://shopify/LineItem/{li["id"]}'
for i, sl in enumerate(cod['shipping_lines']):
    sl['id'] = oid * 10 + 5 + i
out['uk-cash-on-delivery.orders-create.json'] = cod
# A shop in yen with an order discount of ¥1,000 on no line: what is spread over the three ¥1,000 lines is whole yen.
out['jpy-unallocated-discount.orders-paid.json'] = order(9, cur='JPY', country='JP', province='JP-13', location=24826418, unallocated='1000',
    lines=[{'sku': 'TSHIRT-RED-M', 'name': 'T-Shirt Red M', 'price': '1000'}, {'sku': 'MUG-BLACK', 'name': 'Black Mug', 'price': '1000'},
           {'sku': 'SKU2006-020', 'name': 'Small Granite Shirt', 'price': '1000'}])
cancelled = copy.deepcopy(us); cancelled.update({'cancelled_at': '2026-03-03T08:00:00+00:00', 'cancel_reason': 'customer', 'financial_status': 'refunded'})
out['us-state-county-shipping-tax.orders-cancelled.json'] = cancelled
out['us-state-county-shipping-tax.orders-edited.json'] = {'order_edit': {'id': 7300000001, 'app_id': None, 'created_at': '2026-03-02T12:00:00-00:00', 'committed_at': '2026-03-02T12:00:00-00:00',
    'notify_customer': False, 'order_id': us['id'], 'staff_note': 'customer asked for one more', 'user_id': None,
    'line_items': {'additions': [{'id': us['line_items'][1]['id'], 'delta': 1}], 'removals': [{'id': us['line_items'][0]['id'], 'delta': 1}]},
    'discounts': {'line_item': {'additions': [], 'removals': []}}, 'shipping_lines': {'additions': [], 'removals': []}}}
for name, doc in out.items():
    with open(os.path.join(HERE, name), 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
print('\n'.join(sorted(out)))
