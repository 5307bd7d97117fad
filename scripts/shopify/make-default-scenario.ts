// Writes nodes/shopify/sandbox/scenarios/default.json: the believable shop `npm start` shows. Every total, tax,
// refund and payout figure is computed here with decimal.js, so order totals add up and each payout's net equals the
// sum of its balance transactions to the cent. Shopify's own example payloads are embedded as they are.
//   npx tsx scripts/shopify/make-default-scenario.ts [FIXTURES_DIR]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOrder, type OrderSpec } from './scenario-orders.ts';
import { buildPayouts } from './scenario-payouts.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = process.argv[2] ?? join(here, '../../../shared/fixtures/shopify');
const out = join(here, '../../nodes/shopify/sandbox/scenarios/default.json');
const read = (f: string) => JSON.parse(readFileSync(join(fixtures, f), 'utf8')) as Record<string, any>;

const LEEDS = 24826418; // Shopify's inventory_levels/update example location
const LONDON = 487838322; // the REST refund example's restock location
const NEWARK = 655441491; // the REST order example's fulfilment location
const locations = [
  { id: LEEDS, name: 'Leeds warehouse' },
  { id: LONDON, name: 'London shop' },
  { id: NEWARK, name: 'Newark NJ (3PL)' },
  { id: 31000001, name: 'Manchester pop-up (closed)', active: false },
];

type V = { id: number | string; title?: string; sku: string | null; price: string; item: number | string; tracked?: boolean; stock?: Record<number, number> };
const P = (id: number | string, title: string, variants: V[]) => ({ id, title, variants });
const both = (leeds: number, london: number, newark?: number): Record<number, number> => {
  const r: Record<number, number> = { [LEEDS]: leeds, [LONDON]: london };
  if (newark !== undefined) r[NEWARK] = newark;
  return r;
};
const catalogue = [
  // Shopify's example payloads (orders/*, refunds/create, fulfillments/create, inventory_*): their SKUs and ids.
  P(632910392, 'IPod Nano - 8gb', [
    { id: 39072856, title: 'green', sku: 'IPOD2008GREEN', price: '199.00', item: 39072856, stock: both(12, 4, 6) },
    { id: 49148385, title: 'red', sku: 'IPOD2008RED', price: '199.00', item: 49148385, stock: both(8, 2, 3) },
    { id: 457924702, title: 'black', sku: 'IPOD2008BLACK', price: '199.00', item: 457924702, stock: both(15, 5, 9) },
    { id: 808950810, title: 'pink', sku: 'IPOD2008PINK', price: '199.00', item: 808950810, stock: both(3, 1, 0) },
  ]),
  P('gid://shopify/Product/788032119674292922', 'Example T-Shirt', [
    // products/update example: SKUs are null there
    { id: 'gid://shopify/ProductVariant/642667041472713922', title: 'Small', sku: null, price: '19.99', item: 642667041, stock: both(75, 0) },
    { id: 'gid://shopify/ProductVariant/757650484644203962', title: 'Medium', sku: null, price: '19.99', item: 757650484, stock: both(50, 0) },
  ]),
  P(7001, 'Aviator sunglasses', [{ id: 7101, sku: 'SKU2006-001', price: '89.99', item: 7201, stock: both(20, 6, 10) }]),
  P(7002, 'Mid-century lounger', [{ id: 7102, sku: 'SKU2006-020', price: '159.99', item: 7202, stock: both(4, 0, 2) }]),
  P(7003, 'Coffee table', [{ id: 7103, sku: 'SKU2006-035', price: '119.99', item: 7203, stock: both(6, 1, 3) }]),
  P(7004, 'Lens Protection Plan (2 Year)', [{ id: 7104, sku: 'LENS-PROTECT-2YR', price: '19.99', item: 7204, tracked: false }]),
  P(7005, 'Premium Leather Case', [{ id: 7105, sku: 'CASE-LEATHER-PREM', price: '24.99', item: 7205, stock: both(40, 12, 20) }]),
  P(7006, 'Example inventory item', [
    { id: 7106, sku: 'example-sku', price: '10.00', item: 'gid://shopify/InventoryItem/271878346596884015', stock: both(30, 10) },
  ]),
  // The demo shop's own catalogue.
  P(8001, 'Organic Cotton Tee', [
    { id: 8101, title: 'S', sku: 'TEE-S', price: '25.00', item: 8201, stock: both(10, 10, 24) },
    { id: 8102, title: 'M', sku: 'TEE-M', price: '25.00', item: 8202, stock: both(10, 10, 30) },
  ]),
  P(8002, 'Merino Crew Jumper', [
    { id: 8111, title: 'Navy / S', sku: 'MCJ-NAVY-S', price: '85.00', item: 8211, stock: both(14, 3) },
    { id: 8112, title: 'Navy / M', sku: 'MCJ-NAVY-M', price: '85.00', item: 8212, stock: both(22, 5) },
    { id: 8113, title: 'Navy / L', sku: 'MCJ-NAVY-L', price: '85.00', item: 8213, stock: both(9, 2) },
  ]),
  P(8003, 'Waxed Cotton Jacket', [
    { id: 8121, title: 'Olive / M', sku: 'WCJ-OLIVE-M', price: '195.00', item: 8221, stock: both(6, 2) },
    { id: 8122, title: 'Olive / L', sku: 'WCJ-OLIVE-L', price: '195.00', item: 8222, stock: both(5, 1) },
  ]),
  // Duplicate SKUs, as merchants really have them: a mug re-listed in a gift set, a beanie listed three times.
  P(8004, 'Stoneware Mug, Sage', [{ id: 8131, sku: 'MUG-SAGE', price: '14.00', item: 8231, stock: both(48, 12) }]),
  P(8005, 'Mug Gift Set', [{ id: 8132, sku: 'MUG-SAGE', price: '26.00', item: 8232, stock: both(10, 4) }]),
  P(8006, 'Lambswool Beanie', [
    { id: 8141, title: 'Grey', sku: 'BEANIE-GRY', price: '22.00', item: 8241, stock: both(18, 6) },
    { id: 8142, title: 'Grey (old listing)', sku: 'BEANIE-GRY', price: '22.00', item: 8242, stock: both(0, 0) },
  ]),
  P(8007, 'Beanie and Scarf Bundle', [{ id: 8143, sku: 'BEANIE-GRY', price: '45.00', item: 8243, stock: both(2, 0) }]),
  // Empty SKUs: an empty string and a missing one.
  P(8008, 'Canvas Tote Bag', [
    { id: 8151, title: 'Natural', sku: '', price: '12.00', item: 8251, stock: both(60, 20) },
    { id: 8152, title: 'Black', sku: null, price: '12.00', item: 8252, stock: both(35, 9) },
  ]),
  // Untracked: gift cards and a service.
  P(8009, 'Gift Card', [
    { id: 8161, title: '£25', sku: 'GIFTCARD-25', price: '25.00', item: 8261, tracked: false },
    { id: 8162, title: '£50', sku: 'GIFTCARD-50', price: '50.00', item: 8262, tracked: false },
  ]),
  P(8010, 'Gift wrapping', [{ id: 8171, sku: 'WRAP-01', price: '4.00', item: 8271, tracked: false }]),
];

const products = catalogue.map((p) => ({
  id: p.id,
  title: p.title,
  variants: p.variants.map((v) => ({
    id: v.id,
    ...(v.title ? { title: v.title } : {}),
    sku: v.sku,
    price: v.price,
    inventoryItemId: v.item,
    tracked: v.tracked ?? true,
  })),
}));
const inventory = catalogue.flatMap((p) =>
  p.variants.flatMap((v) =>
    Object.entries(v.stock ?? {}).map(([loc, n]) => ({
      inventoryItemId: v.item,
      locationId: Number(loc),
      available: n,
      onHand: n,
    })),
  ),
);

const examplePaid = read('webhook-2026-04.orders.paid.json');
const exampleOrder = read('rest-2026-07.order.single.json').order;
const customers = [
  {
    id: 'gid://shopify/Customer/115310627314723954',
    firstName: examplePaid.customer.first_name,
    lastName: examplePaid.customer.last_name,
    email: examplePaid.customer.email,
    phone: examplePaid.customer.phone,
  },
  { id: 207119551, firstName: 'Bob', lastName: 'Norman', email: 'bob.norman@mail.example.com', phone: '+16136120707' },
  { id: 6001, firstName: 'Amelia', lastName: 'Hughes', email: 'amelia.hughes@example.co.uk', phone: '+447700900123', tags: ['VIP'] },
  { id: 6002, firstName: 'Oliver', lastName: 'Bennett', email: 'oliver.bennett@example.co.uk', phone: null },
  { id: 6003, firstName: 'Siobhán', lastName: 'Murphy', email: 'siobhan.murphy@example.ie', phone: '+353851234567' },
  { id: 6004, firstName: 'Jake', lastName: 'Miller', email: 'jake.miller@example.com', phone: '+13125550142' },
];
const addr = {
  amelia: {
    first_name: 'Amelia',
    last_name: 'Hughes',
    name: 'Amelia Hughes',
    address1: '14 Park Square',
    address2: '',
    city: 'Leeds',
    province: 'England',
    province_code: 'ENG',
    zip: 'LS1 2NE',
    country: 'United Kingdom',
    country_code: 'GB',
    phone: '+447700900123',
    company: null,
  },
  oliver: {
    first_name: 'Oliver',
    last_name: 'Bennett',
    name: 'Oliver Bennett',
    address1: '3 Canal Street',
    address2: 'Flat 2',
    city: 'Manchester',
    province: 'England',
    province_code: 'ENG',
    zip: 'M1 3HE',
    country: 'United Kingdom',
    country_code: 'GB',
    phone: null,
    company: null,
  },
  siobhan: {
    first_name: 'Siobhán',
    last_name: 'Murphy',
    name: 'Siobhán Murphy',
    address1: '27 Camden Street Lower',
    address2: '',
    city: 'Dublin',
    province: 'Dublin',
    province_code: 'D',
    zip: 'D02 XE80',
    country: 'Ireland',
    country_code: 'IE',
    phone: '+353851234567',
    company: null,
  },
  jake: {
    first_name: 'Jake',
    last_name: 'Miller',
    name: 'Jake Miller',
    address1: '233 S Wacker Dr',
    address2: 'Suite 4100',
    city: 'Chicago',
    province: 'Illinois',
    province_code: 'IL',
    zip: '60606',
    country: 'United States',
    country_code: 'US',
    phone: '+13125550142',
    company: 'Miller & Co',
  },
};
const variant = (sku: string) => {
  for (const p of catalogue)
    for (const v of p.variants) if (v.sku === sku) return { productId: p.id, variantId: v.id, title: p.title, variantTitle: v.title ?? null, price: v.price };
  throw new Error(`no variant with SKU ${sku}`);
};
const VAT = [{ title: 'GB VAT', rate: '0.2' }];
const IE_VAT = [{ title: 'IE VAT', rate: '0.23' }];
const IL_TAX = [
  { title: 'Illinois State Tax', rate: '0.0625' },
  { title: 'Cook County Tax', rate: '0.0175' },
];

const specs: OrderSpec[] = [
  {
    // UK, VAT-inclusive, order-level discount code across all lines, VAT on shipping; one tee returned and restocked.
    id: 5001001,
    number: 1011,
    createdAt: '2026-11-02T10:14:00Z',
    customer: 6001,
    address: addr.amelia,
    shop: 'GBP',
    presentment: 'GBP',
    rate: '1',
    taxesIncluded: true,
    taxes: VAT,
    locationId: LEEDS,
    lines: [
      { id: 5101, sku: 'MCJ-NAVY-M', quantity: 1 },
      { id: 5102, sku: 'TEE-S', quantity: 2 },
    ],
    discount: { kind: 'code', code: 'WELCOME10', percent: '10' },
    shipping: { id: 5201, title: 'Royal Mail Tracked 48', price: '4.20', taxes: VAT },
    payments: [{ gateway: 'shopify_payments', amount: 'rest', txId: 5301 }],
  },
  {
    // US (Chicago), shop GBP / presentment USD, automatic discount on one line, state + county tax per line,
    // untaxed shipping; split across the Leeds warehouse and the Newark 3PL. Shipping refunded later.
    id: 5001002,
    number: 1012,
    createdAt: '2026-11-05T16:40:00Z',
    customer: 6004,
    address: addr.jake,
    shop: 'GBP',
    presentment: 'USD',
    rate: '0.8',
    taxesIncluded: false,
    taxes: IL_TAX,
    lines: [
      { id: 5111, sku: 'WCJ-OLIVE-L', quantity: 1, price: '245.00' },
      { id: 5112, sku: 'TEE-M', quantity: 1, price: '32.00' },
      { id: 5113, sku: 'WRAP-01', quantity: 1, price: '5.00', requiresShipping: false },
    ],
    discount: { kind: 'automatic', title: 'Outerwear event', amount: '20.00', lineId: 5111 },
    shipping: { id: 5211, title: 'UPS Worldwide Saver', price: '15.00', taxes: [] },
    payments: [{ gateway: 'shopify_payments', amount: 'rest', txId: 5311 }],
    fulfillmentOrders: [
      { id: 5401, locationId: LEEDS, lines: [5111] },
      { id: 5402, locationId: NEWARK, lines: [5112] },
    ],
  },
  {
    // UK: buys a £50 gift card (not taxable, not shipped) and a tee; later refunds the tee without restock.
    id: 5001003,
    number: 1013,
    createdAt: '2026-11-08T09:05:00Z',
    customer: 6002,
    address: addr.oliver,
    shop: 'GBP',
    presentment: 'GBP',
    rate: '1',
    taxesIncluded: true,
    taxes: VAT,
    locationId: LONDON,
    lines: [
      { id: 5121, sku: 'GIFTCARD-50', quantity: 1, giftCard: true },
      { id: 5122, sku: 'TEE-M', quantity: 1 },
    ],
    shipping: { id: 5221, title: 'Royal Mail Tracked 48', price: '4.20', taxes: VAT },
    payments: [{ gateway: 'shopify_payments', amount: 'rest', txId: 5321 }],
  },
  {
    // Ireland: shop GBP / presentment EUR, Irish VAT included (IOSS), part paid with a gift card.
    id: 5001004,
    number: 1014,
    createdAt: '2026-11-12T19:22:00Z',
    customer: 6003,
    address: addr.siobhan,
    shop: 'GBP',
    presentment: 'EUR',
    rate: '0.85',
    taxesIncluded: true,
    taxes: IE_VAT,
    locationId: LEEDS,
    lines: [
      { id: 5131, sku: 'MCJ-NAVY-S', quantity: 1, price: '99.00' },
      { id: 5132, sku: 'BEANIE-GRY', quantity: 1, price: '26.00', variantIndex: 0 },
    ],
    shipping: { id: 5231, title: 'An Post Registered', price: '9.00', taxes: IE_VAT },
    payments: [
      { gateway: 'gift_card', amount: '30.00', txId: 5331 },
      { gateway: 'shopify_payments', amount: 'rest', txId: 5332 },
    ],
  },
  {
    // UK: cancelled before fulfilment, payment voided.
    id: 5001005,
    number: 1015,
    createdAt: '2026-11-14T12:00:00Z',
    customer: 6001,
    address: addr.amelia,
    shop: 'GBP',
    presentment: 'GBP',
    rate: '1',
    taxesIncluded: true,
    taxes: VAT,
    locationId: LEEDS,
    lines: [{ id: 5141, sku: 'MUG-SAGE', quantity: 2, variantIndex: 0 }],
    shipping: { id: 5241, title: 'Royal Mail Tracked 48', price: '4.20', taxes: VAT },
    payments: [{ gateway: 'shopify_payments', amount: 'rest', txId: 5341 }],
    cancelled: { at: '2026-11-14T15:30:00Z', reason: 'customer' },
  },
];

const built = specs.map((s) => buildOrder(s, variant));
const byNumber = (n: number) => built.find((b) => b.spec.number === n)!;
const refunds = [
  byNumber(1011).refundLines({
    id: 5501,
    createdAt: '2026-11-10T11:00:00Z',
    note: 'Wrong size, returned to Leeds',
    lines: [{ lineId: 5102, quantity: 1, restock: 'return', locationId: LEEDS }],
    txId: 5601,
  }),
  byNumber(1012).refundShipping({ id: 5502, createdAt: '2026-11-19T08:30:00Z', note: 'Delivered late: shipping refunded', txId: 5602 }),
  byNumber(1013).refundLines({
    id: 5503,
    createdAt: '2026-11-20T14:10:00Z',
    note: 'Print faded after first wash; customer keeps it',
    lines: [{ lineId: 5122, quantity: 1, restock: 'no_restock' }],
    txId: 5603,
  }),
];
const orders = [examplePaid, exampleOrder, ...built.map((b) => b.order(refunds.filter((r) => r.order_id === b.spec.id)))];
const { payouts, balanceTransactions } = buildPayouts(built, refunds);

const scenario = {
  $comment: 'Generated by scripts/shopify/make-default-scenario.ts; format documented in nodes/shopify/sandbox/scenarios/README.md. Money is decimal strings.',
  shop: { name: 'Ledgerline Demo Shop', currency: 'GBP' },
  locations,
  products,
  inventory,
  customers,
  orders,
  refunds,
  fulfillmentOrders: built.flatMap((b) => b.fulfillmentOrders()),
  payouts,
  balanceTransactions,
};
writeFileSync(out, JSON.stringify(scenario, null, 1) + '\n');
console.log(
  `wrote ${out}: ${products.length} products, ${inventory.length} levels, ${orders.length} orders, ${refunds.length} refunds, ${payouts.length} payouts, ${balanceTransactions.length} balance transactions`,
);
