// Storage of the sandbox ERP: one SQLite file (or memory), its schema and the default catalogue, which mirrors
// the Tryton test company (scripts/tryton/setup.py) so one contract suite runs against both.
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL, unit_price TEXT, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS warehouses (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS taxes (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, rate TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payment_methods (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payment_terms (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, days INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stock (item_id INTEGER NOT NULL, warehouse_id INTEGER NOT NULL, on_hand TEXT NOT NULL DEFAULT '0', reserved TEXT NOT NULL DEFAULT '0', PRIMARY KEY (item_id, warehouse_id));
CREATE TABLE IF NOT EXISTS customers (id INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, email TEXT, phone TEXT, address TEXT);
CREATE TABLE IF NOT EXISTS sales_orders (id INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, number TEXT NOT NULL, reference TEXT NOT NULL,
  customer_id INTEGER NOT NULL, currency TEXT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL, warehouse_id INTEGER NOT NULL,
  net TEXT NOT NULL, tax TEXT NOT NULL, gross TEXT NOT NULL, created_at TEXT NOT NULL, payment_term TEXT);
CREATE TABLE IF NOT EXISTS so_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, kind TEXT NOT NULL, sku TEXT, item_id INTEGER, description TEXT NOT NULL,
  quantity TEXT NOT NULL, unit_price TEXT NOT NULL, discount TEXT NOT NULL, tax_code TEXT, net TEXT NOT NULL, tax_amount TEXT NOT NULL, warehouse_id INTEGER NOT NULL,
  shipped TEXT NOT NULL DEFAULT '0');
CREATE INDEX IF NOT EXISTS so_lines_order ON so_lines(order_id);
CREATE TABLE IF NOT EXISTS fulfilments (id INTEGER PRIMARY KEY, number TEXT NOT NULL, order_id INTEGER NOT NULL, warehouse_id INTEGER NOT NULL, completed_at TEXT NOT NULL,
  tracking_number TEXT, carrier TEXT, lines TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credit_memos (id INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, number TEXT NOT NULL, order_id INTEGER NOT NULL, date TEXT NOT NULL,
  currency TEXT NOT NULL, restock INTEGER NOT NULL, net TEXT NOT NULL, tax TEXT NOT NULL, gross TEXT NOT NULL, lines TEXT NOT NULL, shipping TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal_entries (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, number TEXT NOT NULL, date TEXT NOT NULL, description TEXT NOT NULL,
  source_type TEXT NOT NULL, source_external_id TEXT, source_number TEXT);
CREATE TABLE IF NOT EXISTS ledger_lines (id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL, account TEXT NOT NULL, debit TEXT NOT NULL, credit TEXT NOT NULL,
  description TEXT, reconciled INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS ledger_entry ON ledger_lines(entry_id);
-- listLedger reads a date range (a reconciliation reads a year in monthly windows): without it, each read scans every line.
CREATE INDEX IF NOT EXISTS journal_date ON journal_entries(date);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stock_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, item_id INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS stock_change_insert AFTER INSERT ON stock BEGIN INSERT INTO stock_changes (item_id) VALUES (NEW.item_id); END;
CREATE TRIGGER IF NOT EXISTS stock_change_update AFTER UPDATE OF on_hand, reserved ON stock WHEN OLD.on_hand IS NOT NEW.on_hand OR OLD.reserved IS NOT NEW.reserved
  BEGIN INSERT INTO stock_changes (item_id) VALUES (NEW.item_id); END;
`;

export const SEED = {
  warehouses: [
    ['WH', 'Main Warehouse'],
    ['WH2', 'East Warehouse'],
  ] as const,
  /**
   * Payment journals receipts are booked in (Tryton: cash journals; the test company has CASH), and the ones the
   * seeded payment-methods lookup table names (flows/templates/lookups/payment-methods.csv).
   */
  paymentMethods: [
    ['CASH', 'Cash'],
    ['SHOPIFY-PAYMENTS', 'Shopify Payments'],
    ['CARD', 'Card payments'],
    ['GIFT-CARD', 'Gift cards'],
    ['MANUAL', 'Manual payments'],
    ['TEST', 'Test gateway'],
  ] as const,
  /** Payment terms by name and days to pay, named as Shopify's payment terms templates are (scripts/tryton/setup.py has Net 30). */
  paymentTerms: [
    ['Due on receipt', 0],
    ['Net 7', 7],
    ['Net 15', 15],
    ['Net 30', 30],
    ['Net 45', 45],
    ['Net 60', 60],
    ['Net 90', 90],
  ] as const,
  taxes: [
    ['US-SALES-10', 'Sales Tax 10%', '0.10'],
    ['US-STATE-6', 'State Sales Tax 6%', '0.06'],
    ['US-COUNTY-1.5', 'County Sales Tax 1.5%', '0.015'],
    ['UK-VAT-20', 'UK VAT 20%', '0.20'],
    ['ZERO', 'Zero rated 0%', '0'],
    // The sandbox store's demo orders (Illinois + Cook County, Irish VAT); not in the Tryton test company.
    ['US-IL-6.25', 'Illinois State Tax 6.25%', '0.0625'],
    ['US-COOK-1.75', 'Cook County Tax 1.75%', '0.0175'],
    ['IE-VAT-23', 'Irish VAT 23%', '0.23'],
    // What the sandbox panel's unmapped-tax order (Ohio Resort Tax 7%) is fixed with: a tax-codes row naming it.
    ['US-OH-7', 'Ohio Tax 7%', '0.07'],
  ] as const,
  accounts: [
    ['1000', 'Main Cash'],
    ['1100', 'Main Receivable'],
    ['1190', 'Shopify Clearing'],
    ['1195', 'Shopify Reserve'],
    ['2000', 'Main Payable'],
    ['2100', 'Main Tax'],
    ['2300', 'Gift Card Liability'],
    ['4000', 'Main Revenue'],
    ['6000', 'Main Expense'],
    ['6100', 'Shopify Fees'],
    ['6200', 'Shopify Adjustments and Disputes'],
  ] as const,
  /** sku, name, type, price, stock WH, stock WH2 (the SKUs of Shopify's published example payloads included). */
  items: [
    ['IPOD2008GREEN', 'IPod Nano - 8GB Green', 'goods', '199.00', 100, 20],
    ['IPOD2008BLACK', 'IPod Nano - 8GB Black', 'goods', '199.00', 100, 20],
    ['IPOD2008RED', 'IPod Nano - 8GB Red', 'goods', '199.00', 100, 20],
    ['SKU2006-001', 'Aerodynamic Cotton Keyboard', 'goods', '19.99', 250, 50],
    ['SKU2006-020', 'Small Granite Shirt', 'goods', '24.00', 250, 50],
    ['SKU2006-035', 'Rustic Concrete Bottle', 'goods', '12.50', 250, 50],
    ['LENS-PROTECT-2YR', 'Lens Protection Plan 2 years', 'service', '29.00', 0, 0],
    ['CASE-LEATHER-PREM', 'Premium Leather Case', 'goods', '49.00', 80, 10],
    ['TSHIRT-RED-M', 'T-Shirt Red M', 'goods', '20.00', 100, 7],
    ['MUG-BLACK', 'Black Mug', 'goods', '12.00', 60, 30],
    ['SHIPPING', 'Shipping', 'service', '0.00', 0, 0],
    ['GIFTCARD', 'Gift Card', 'service', '0.00', 0, 0],
    ['TIP', 'Tips received', 'service', '0.00', 0, 0],
    ['DUTY', 'Import duties collected', 'service', '0.00', 0, 0],
    // The sandbox store's "Ledgerline Demo Shop" catalogue (nodes/shopify/sandbox/scenarios/default.json), so its
    // orders post and its stock syncs out of the box. Gift cards are services: they are never sales lines.
    ['IPOD2008PINK', 'IPod Nano - 8GB Pink', 'goods', '199.00', 100, 20],
    ['example-sku', 'Example inventory item', 'goods', '10.00', 40, 0],
    ['TEE-S', 'Organic Cotton Tee S', 'goods', '25.00', 120, 30],
    ['TEE-M', 'Organic Cotton Tee M', 'goods', '25.00', 140, 30],
    ['MCJ-NAVY-S', 'Merino Crew Jumper Navy S', 'goods', '85.00', 40, 10],
    ['MCJ-NAVY-M', 'Merino Crew Jumper Navy M', 'goods', '85.00', 45, 10],
    ['MCJ-NAVY-L', 'Merino Crew Jumper Navy L', 'goods', '85.00', 35, 10],
    ['WCJ-OLIVE-M', 'Waxed Cotton Jacket Olive M', 'goods', '195.00', 20, 5],
    ['WCJ-OLIVE-L', 'Waxed Cotton Jacket Olive L', 'goods', '195.00', 18, 5],
    ['MUG-SAGE', 'Stoneware Mug, Sage', 'goods', '14.00', 90, 20],
    ['BEANIE-GRY', 'Lambswool Beanie Grey', 'goods', '22.00', 70, 15],
    ['WRAP-01', 'Gift wrapping', 'goods', '4.00', 500, 100],
    ['GIFTCARD-25', 'Gift Card 25', 'service', '25.00', 0, 0],
    ['GIFTCARD-50', 'Gift Card 50', 'service', '50.00', 0, 0],
  ] as const,
};

export function openDb(opts: { dataDir?: string; file?: string }): Db {
  let file = opts.file ?? ':memory:';
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    file = join(opts.dataDir, 'sandbox-erp.sqlite');
  }
  // Created 0600 like the other files of the data dir (SQLite gives its -wal and -shm the same permissions): the
  // ledger holds customers' names and what they bought.
  if (file !== ':memory:' && !existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  // Worker processes of one data dir post to this file at once: a transaction that reads before it writes must hold
  // the write lock from its start, or SQLite fails it (SQLITE_BUSY) when another process commits in between.
  const tx = db.transaction.bind(db);
  db.transaction = ((fn: (...args: never[]) => unknown) => tx(fn).immediate) as typeof db.transaction;
  if (file !== ':memory:') {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.exec(SCHEMA);
  // Sandboxes made before orders carried payment terms get the column; CREATE TABLE IF NOT EXISTS adds none.
  const columns = new Set((db.pragma('table_info(sales_orders)') as Array<{ name: string }>).map((c) => c.name));
  if (!columns.has('payment_term')) db.exec('ALTER TABLE sales_orders ADD COLUMN payment_term TEXT');
  // Statements are compiled once and reused: compiling dominates the cost of these small queries.
  const cache = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db);
  (db as { prepare: (sql: string) => Database.Statement }).prepare = (sql: string) => {
    let st = cache.get(sql);
    if (!st) cache.set(sql, (st = prepare(sql)));
    return st;
  };
  return db;
}

export function seed(db: Db): void {
  // One transaction (immediate, see openDb), checked inside: worker processes opening one sandbox at once seed it once.
  db.transaction(() => seedOnce(db))();
}

function seedOnce(db: Db): void {
  // Added after the first sandboxes were made: seeded on its own, so an existing sandbox gets it too.
  if ((db.prepare('SELECT COUNT(*) AS n FROM payment_methods').get() as { n: number }).n === 0) {
    const pm = db.prepare('INSERT INTO payment_methods (code, name) VALUES (?, ?)');
    for (const [c, n] of SEED.paymentMethods) pm.run(c, n);
  }
  if ((db.prepare('SELECT COUNT(*) AS n FROM payment_terms').get() as { n: number }).n === 0) {
    const pt = db.prepare('INSERT INTO payment_terms (name, days) VALUES (?, ?)');
    for (const [n, d] of SEED.paymentTerms) pt.run(n, d);
  }
  if ((db.prepare('SELECT COUNT(*) AS n FROM warehouses').get() as { n: number }).n > 0) return;
  db.transaction(() => {
    const wh = db.prepare('INSERT INTO warehouses (code, name) VALUES (?, ?)');
    for (const [c, n] of SEED.warehouses) wh.run(c, n);
    const tx = db.prepare('INSERT INTO taxes (code, name, rate) VALUES (?, ?, ?)');
    for (const [c, n, r] of SEED.taxes) tx.run(c, n, r);
    const acc = db.prepare('INSERT INTO accounts (code, name) VALUES (?, ?)');
    for (const [c, n] of SEED.accounts) acc.run(c, n);
    const item = db.prepare('INSERT INTO items (sku, name, type, unit_price) VALUES (?, ?, ?, ?)');
    const stock = db.prepare('INSERT INTO stock (item_id, warehouse_id, on_hand) VALUES (?, (SELECT id FROM warehouses WHERE code = ?), ?)');
    for (const [sku, name, type, price, q1, q2] of SEED.items) {
      const id = item.run(sku, name, type, price).lastInsertRowid;
      if (type === 'goods') {
        stock.run(id, 'WH', String(q1));
        stock.run(id, 'WH2', String(q2));
      }
    }
  })();
}

export function nextNumber(db: Db, name: string, prefix: string): string {
  db.prepare('INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1').run(name);
  const { value } = db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as { value: number };
  return `${prefix}${String(value).padStart(5, '0')}`;
}
