// The totals Tryton and the sandbox ERP will compute for a sales order input (net unit price to 4 places, each tax
// rounded per line; Shopify's tax amounts as given when the lines carry them), so a node can foresee the ERP's
// figures before posting, each amount rounded to the order currency's minor unit as the ERP rounds it. Null when a
// tax code's rate is unknown.
import { currencyDigits, currencyText, roundToCurrency } from '../../core/currency.ts';
import type { SalesOrderInput } from '../contract.ts';
import { Decimal, sum } from '../shared/money.ts';
import { givenTax, lineCodes, netUnitPrice } from '../shared/pricing.ts';
import { SEED } from '../sandbox/db.ts';

const DEFAULT_RATES: Record<string, string> = Object.fromEntries(SEED.taxes.map(([code, , rate]) => [code, rate]));

export function erpTotals(o: SalesOrderInput, taxRates: Record<string, string> = DEFAULT_RATES): { net: string; tax: string; gross: string } | null {
  const parts: Array<{ net: Decimal; tax: Decimal }> = [];
  const digits = currencyDigits(o.currency);
  const round = (d: Decimal) => roundToCurrency(d, o.currency);
  const add = (
    unitPrice: string,
    quantity: string,
    discount: string | undefined,
    l: { taxCodes?: string[]; taxes?: Array<{ code: string; amount: string }> },
  ): boolean => {
    const given = givenTax(l.taxes);
    const rates = given !== undefined ? [] : (lineCodes(l) ?? []).map((c) => taxRates[c]);
    if (!rates.every((r) => r !== undefined)) return false;
    const unit = netUnitPrice({ unitPrice, quantity, discount, rates, pricesIncludeTax: o.pricesIncludeTax, taxAmount: given, digits });
    const net = round(new Decimal(unit).times(quantity));
    parts.push({ net, tax: given !== undefined ? new Decimal(given) : sum(rates.map((r) => round(net.times(r)))) });
    return true;
  };
  for (const l of o.lines ?? []) if (!add(l.unitPrice, l.quantity, l.discount, l)) return null;
  for (const s of o.shipping ?? []) if (!add(s.amount, '1', s.discount, s)) return null;
  const net = sum(parts.map((p) => p.net));
  const tax = sum(parts.map((p) => p.tax));
  return { net: currencyText(net, o.currency), tax: currencyText(tax, o.currency), gross: currencyText(net.plus(tax), o.currency) };
}

/** What the ERP must show per line for this input: the net it will derive and the tax (Shopify's when given). */
export function expectedLines(
  o: SalesOrderInput,
  taxRates: Record<string, string> = DEFAULT_RATES,
): Array<{ kind: 'line' | 'shipping'; label: string; net: string | null; tax: string | null }> {
  const one = (
    kind: 'line' | 'shipping',
    label: string,
    unitPrice: string,
    quantity: string,
    discount: string | undefined,
    l: { taxCodes?: string[]; taxes?: Array<{ code: string; amount: string }> },
  ) => {
    const given = givenTax(l.taxes);
    const rates = (lineCodes(l) ?? []).map((c) => taxRates[c]);
    const known = given !== undefined || rates.every((r) => r !== undefined);
    // A tax-inclusive line's net depends on its tax: unknown when neither Shopify's amount nor the rates are known.
    if (o.pricesIncludeTax && !known) return { kind, label, net: null, tax: null };
    const unit = netUnitPrice({
      unitPrice,
      quantity,
      discount,
      rates: given === undefined ? (rates as string[]) : [],
      pricesIncludeTax: o.pricesIncludeTax,
      taxAmount: given,
      digits: currencyDigits(o.currency),
    });
    return { kind, label, net: currencyText(new Decimal(unit).times(quantity), o.currency), tax: given ?? null };
  };
  return [
    ...(o.lines ?? []).map((l, i) => one('line', `line ${i + 1} (${l.sku})`, l.unitPrice, l.quantity, l.discount, l)),
    ...(o.shipping ?? []).map((s, i) => one('shipping', `shipping ${i + 1} (${s.description})`, s.amount, '1', s.discount, s)),
  ];
}
