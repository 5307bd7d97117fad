# Builds the Ledgerline test company inside a freshly initialised Tryton 6.0 database (proteus, in-process).
# Run with the Debian interpreter: /usr/bin/python3 setup.py CONF DB OUT_JSON
# Idempotent only on a fresh database: provision.ts always runs it right after trytond-admin --all.
import datetime
import json
import sys
from decimal import Decimal

from proteus import Model, Wizard, config as pconfig

CONF, DB, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
cfg = pconfig.set_trytond(database=DB, user='admin', config_file=CONF)

today = datetime.date.today()
ids = {}


def model(name):
    return Model.get(name)


# 1. Currencies (no pycountry here, so they are created by hand). Rates are per 1 USD.
Currency = model('currency.currency')
CurrencyRate = model('currency.currency.rate')
currencies = {}
# The yen has no minor unit: Tryton rounds its amounts to the whole yen (rounding 1, digits 0), as real ERPs do.
for code, name, symbol, rate, digits in [('USD', 'U.S. Dollar', '$', '1', 2), ('EUR', 'Euro', '€', '0.92', 2),
                                         ('GBP', 'Pound Sterling', '£', '0.79', 2), ('CAD', 'Canadian Dollar', 'C$', '1.36', 2),
                                         ('JPY', 'Yen', '¥', '150', 0)]:
    cur = Currency(name=name, code=code, symbol=symbol, rounding=Decimal(10) ** -digits, digits=digits)
    cur.rates.new(date=datetime.date(2000, 1, 1), rate=Decimal(rate))
    cur.save()
    currencies[code] = cur
ids['currencies'] = {c: cur.id for c, cur in currencies.items()}

# 2. Company
Party = model('party.party')
User = model('res.user')
company_party = Party(name='Acme Store')
company_party.save()
wiz = Wizard('company.company.config')
wiz.execute('company')
wiz.form.party = company_party
wiz.form.currency = currencies['USD']
wiz.execute('add')
cfg._context = User.get_preferences(True, {})
Company = model('company.company')
company, = Company.find()
ids['company'] = company.id

# 3. Chart of accounts from the Minimal Account Chart shipped in `account`.
AccountTemplate = model('account.account.template')
ModelData = model('ir.model.data')
Account = model('account.account')
data, = ModelData.find([('module', '=', 'account'), ('fs_id', '=', 'account_template_root_en')], limit=1)
chart = Wizard('account.create_chart')
chart.execute('account')
chart.form.account_template = AccountTemplate(data.db_id)
chart.form.company = company
chart.execute('create_account')


def find_account(name):
    acc, = Account.find([('name', '=', name), ('company', '=', company.id)], limit=1)
    return acc


acc = {
    'receivable': find_account('Main Receivable'), 'payable': find_account('Main Payable'),
    'revenue': find_account('Main Revenue'), 'expense': find_account('Main Expense'),
    'cash': find_account('Main Cash'), 'tax': find_account('Main Tax'),
}
chart.form.account_receivable = acc['receivable']
chart.form.account_payable = acc['payable']
chart.execute('create_properties')

# Account codes make ledger lines addressable by code, the way every ERP names its GL accounts.
for key, code in [('cash', '1000'), ('receivable', '1100'), ('payable', '2000'), ('tax', '2100'),
                  ('revenue', '4000'), ('expense', '6000')]:
    acc[key].code = code
    acc[key].save()


def extra_account(code, name, like, reconcile):
    a = Account(name=name, code=code, type=acc[like].type, parent=acc[like].parent,
                reconcile=reconcile, company=company)
    a.save()
    return a


acc['clearing'] = extra_account('1190', 'Shopify Clearing', 'cash', True)
acc['reserve'] = extra_account('1195', 'Shopify Reserve', 'cash', True)
acc['fees'] = extra_account('6100', 'Shopify Fees', 'expense', False)
acc['adjustments'] = extra_account('6200', 'Shopify Adjustments and Disputes', 'expense', False)
acc['giftcard'] = extra_account('2300', 'Gift Card Liability', 'tax', False)
# Shopify computes tax per line item; rounding per line keeps Tryton's totals equal to Shopify's to the cent.
AccountConfig = model('account.configuration')
ac = AccountConfig(1)
ac.tax_rounding = 'line'
ac.save()
ids['accounts'] = {k: {'id': a.id, 'code': a.code} for k, a in acc.items()}

# 4. Fiscal years: previous, current and next, so a cached snapshot stays valid for a year.
FiscalYear = model('account.fiscalyear')
Sequence = model('ir.sequence')
SequenceStrict = model('ir.sequence.strict')
SequenceType = model('ir.sequence.type')
move_type, = SequenceType.find([('name', '=', 'Account Move')], limit=1)
inv_type, = SequenceType.find([('name', '=', 'Invoice')], limit=1)
ids['fiscalyears'] = []
for year in (today.year - 1, today.year, today.year + 1):
    fy = FiscalYear(name=str(year), start_date=datetime.date(year, 1, 1),
                    end_date=datetime.date(year, 12, 31), company=company)
    move_seq = Sequence(name=str(year), sequence_type=move_type, company=company)
    move_seq.save()
    fy.post_move_sequence = move_seq
    inv_seq = SequenceStrict(name='INV%d' % year, sequence_type=inv_type, company=company, prefix='INV%d-' % year)
    inv_seq.save()
    cn_seq = SequenceStrict(name='CN%d' % year, sequence_type=inv_type, company=company, prefix='CN%d-' % year)
    cn_seq.save()
    seq, = fy.invoice_sequences
    seq.out_invoice_sequence = inv_seq
    seq.in_invoice_sequence = inv_seq
    seq.out_credit_note_sequence = cn_seq
    seq.in_credit_note_sequence = cn_seq
    fy.save()
    fy.click('create_period')
    ids['fiscalyears'].append(fy.id)

# 5. Taxes. The tax `name` is the tax code the connector exposes.
Tax = model('account.tax')
ids['taxes'] = {}
for code, desc, rate in [('US-SALES-10', 'Sales Tax 10%', '0.10'), ('US-STATE-6', 'State Sales Tax 6%', '0.06'),
                         ('US-COUNTY-1.5', 'County Sales Tax 1.5%', '0.015'), ('UK-VAT-20', 'UK VAT 20%', '0.20'),
                         ('ZERO', 'Zero rated 0%', '0')]:
    t = Tax(name=code, description=desc, type='percentage', rate=Decimal(rate),
            invoice_account=acc['tax'], credit_note_account=acc['tax'], company=company)
    t.save()
    ids['taxes'][code] = t.id

# 6. Product categories carrying the accounts.
Category = model('product.category')
cats = {}
for key, name in [('goods', 'Goods'), ('services', 'Services')]:
    c = Category(name=name, accounting=True, account_revenue=acc['revenue'], account_expense=acc['expense'])
    c.save()
    cats[key] = c
ids['categories'] = {k: c.id for k, c in cats.items()}

# 7. Payment term, payment method for Shopify Payments (clearing account).
PaymentTerm = model('account.invoice.payment_term')
term = PaymentTerm(name='Due on receipt')
term.lines.new(type='remainder')
term.save()
ids['payment_term'] = term.id
# What Shopify's B2B orders on net terms post with (an order's paymentTerms, by name); made after the default, which
# the connector takes as the first term when a connection names none.
net30 = PaymentTerm(name='Net 30')
net30_line = net30.lines.new(type='remainder')
net30_line.relativedeltas.new(days=30)
net30.save()
Journal = model('account.journal')
cash_journal, = Journal.find([('code', '=', 'CASH')])
revenue_journal, = Journal.find([('code', '=', 'REV')])
ids['journals'] = {'cash': cash_journal.id, 'revenue': revenue_journal.id}
PaymentMethod = model('account.invoice.payment.method')
pm = PaymentMethod(name='Shopify Payments', journal=cash_journal, credit_account=acc['clearing'],
                   debit_account=acc['clearing'], company=company)
pm.save()
ids['payment_method'] = pm.id

# 8. Warehouses: the default WH plus WH2 (which needs its own lost-and-found for inventories).
Location = model('stock.location')
wh, = Location.find([('code', '=', 'WH'), ('type', '=', 'warehouse')])
lost, = Location.find([('type', '=', 'lost_found')], limit=1)
customer_loc, = Location.find([('type', '=', 'customer')], limit=1)
wh.name = 'Main Warehouse'
wh.lost_found_location = lost
wh.save()
inp = Location(name='WH2 Input', type='storage')
inp.save()
out = Location(name='WH2 Output', type='storage')
out.save()
sto = Location(name='WH2 Storage', type='storage')
sto.save()
wh2 = Location(name='East Warehouse', code='WH2', type='warehouse', input_location=inp, output_location=out,
               storage_location=sto, lost_found_location=lost)
wh2.save()
for loc in (inp, out, sto):
    loc.parent = wh2
    loc.save()
ids['warehouses'] = {'WH': {'id': wh.id, 'storage': wh.storage_location.id},
                     'WH2': {'id': wh2.id, 'storage': sto.id}}
ids['customer_location'] = customer_loc.id

# 9. Sale configuration: invoice and ship on order confirmation.
SaleConfig = model('sale.configuration')
sc = SaleConfig(1)
sc.sale_invoice_method = 'order'
sc.sale_shipment_method = 'order'
sc.save()

# 10. Products with SKUs (Shopify's published example payload SKUs included) and stock in both warehouses.
Uom = model('product.uom')
unit, = Uom.find([('name', '=', 'Unit')])
Template = model('product.template')
Product = model('product.product')
products = [
    ('IPOD2008GREEN', 'IPod Nano - 8GB Green', 'goods', '199.00', '120.00', 100, 20),
    ('IPOD2008BLACK', 'IPod Nano - 8GB Black', 'goods', '199.00', '120.00', 100, 20),
    ('IPOD2008RED', 'IPod Nano - 8GB Red', 'goods', '199.00', '120.00', 100, 20),
    ('SKU2006-001', 'Aerodynamic Cotton Keyboard', 'goods', '19.99', '8.00', 250, 50),
    ('SKU2006-020', 'Small Granite Shirt', 'goods', '24.00', '9.00', 250, 50),
    ('SKU2006-035', 'Rustic Concrete Bottle', 'goods', '12.50', '4.00', 250, 50),
    ('LENS-PROTECT-2YR', 'Lens Protection Plan 2 years', 'service', '29.00', '0', 0, 0),
    ('CASE-LEATHER-PREM', 'Premium Leather Case', 'goods', '49.00', '15.00', 80, 10),
    ('TSHIRT-RED-M', 'T-Shirt Red M', 'goods', '20.00', '8.00', 100, 7),
    ('MUG-BLACK', 'Black Mug', 'goods', '12.00', '3.00', 60, 30),
    ('SHIPPING', 'Shipping', 'service', '0', '0', 0, 0),
    ('GIFTCARD', 'Gift Card', 'service', '0', '0', 0, 0),
    # What the order and refund templates post a customer's tips and the import duties paid at checkout as.
    ('TIP', 'Tips received', 'service', '0', '0', 0, 0),
    ('DUTY', 'Import duties collected', 'service', '0', '0', 0, 0),
]
ids['products'] = {}
for sku, name, ptype, price, cost, q1, q2 in products:
    tpl = Template(name=name, type=ptype, default_uom=unit, sale_uom=unit, salable=True,
                   list_price=Decimal(price), account_category=cats['goods' if ptype == 'goods' else 'services'])
    p = tpl.products[0] if tpl.products else tpl.products.new()
    p.suffix_code = sku
    p.cost_price = Decimal(cost)
    tpl.save()
    ids['products'][sku] = tpl.products[0].id

Inventory = model('stock.inventory')
for whcode, idx in (('WH', 5), ('WH2', 6)):
    inv = Inventory(location=Location(ids['warehouses'][whcode]['storage']), date=today)
    for sku, name, ptype, price, cost, q1, q2 in products:
        qty = q1 if idx == 5 else q2
        if ptype == 'goods' and qty:
            inv.lines.new(product=Product(ids['products'][sku]), quantity=qty)
    inv.save()
    inv.click('confirm')

ids['unit'] = unit.id
with open(OUT, 'w') as f:
    json.dump(ids, f, indent=1, sort_keys=True)
print(json.dumps({'ok': True, 'company': company.id}))
