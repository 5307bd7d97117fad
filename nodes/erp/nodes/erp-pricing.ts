// The totals Tryton and the sandbox ERP will compute for a sales order input (net unit price to 4 places, each tax
// rounded per line), so a node can foresee the ERP's rounding before posting. Null when a tax code's rate is unknown.
import type { SalesOrderInput } from '../contract.ts';
import { Decimal, round2, sum } from '../shared/money.ts';
import { netUnitPrice } from '../shared/pricing.ts';
import { SEED } from '../sandbox/db.ts';

const DEFAULT_RATES: Record<string, string> = Object.fromEntries(SEED.taxes.map(([code, , rate]) => [code, rate]));

export function erpTotals(o: SalesOrderInput, taxRates: Record<string, string> = DEFAULT_RATES): { net: string; tax: string; gross: string } | null {
  const parts: Array<{ net: Decimal; tax: Decimal }> = [];
  const add = (unitPrice: string, quantity: string, discount: string | undefined, codes: string[] | undefined): boolean => {
    const rates = (codes ?? []).map((c) => taxRates[c]);
    if (rates.some((r) => r === undefined)) return false;
    const unit = netUnitPrice({ unitPrice, quantity, discount, rates, pricesIncludeTax: o.pricesIncludeTax });
    const net = round2(new Decimal(unit).times(quantity));
    parts.push({ net, tax: sum(rates.map((r) => round2(net.times(r)))) });
    return true;
  };
  for (const l of o.lines ?? []) if (!add(l.unitPrice, l.quantity, l.discount, l.taxCodes)) return null;
  for (const s of o.shipping ?? []) if (!add(s.amount, '1', s.discount, s.taxCodes)) return null;
  const net = sum(parts.map((p) => p.net));
  const tax = sum(parts.map((p) => p.tax));
  return { net: net.toFixed(2), tax: tax.toFixed(2), gross: net.plus(tax).toFixed(2) };
}
