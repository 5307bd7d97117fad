// Proposed lookup rows from the ERP's own lists: an unmapped Shopify tax rate gets the ERP tax codes with the same
// rate, in its country/region, with a similar name; an unmapped location gets warehouses by name and address; an
// unmapped gateway gets payment methods by name. Ranked, each with a reason; a person accepts one.
import { Decimal } from 'decimal.js';
import type { ErpTaxCode, ErpWarehouse } from '../../erp/contract.ts';
import { tokens } from './tokens.ts';

export interface Proposal {
  /** The value for the lookup row's value column (an ERP tax code, warehouse code, payment method). */
  value: string;
  label: string;
  /** 0..1. */
  confidence: number;
  reason: string;
}

/** Countries whose ISO code differs from the one ERPs commonly put in tax code names. */
const COUNTRY_ALIASES: Record<string, string[]> = { GB: ['GB', 'UK'], GR: ['GR', 'EL'] };

function dice(a: string[], b: string[]): { score: number; shared: string[] } {
  const A = new Set(a);
  const B = new Set(b);
  if (!A.size || !B.size) return { score: 0, shared: [] };
  const shared = [...A].filter((w) => B.has(w));
  return { score: (2 * shared.length) / (A.size + B.size), shared };
}

/** Shopify gives rates as a fraction ("0.2", 0.07) or a row may say "20%". */
export function toRate(v: unknown): Decimal | null {
  if (v === null || v === undefined || v === '') return null;
  const s = String(v).trim();
  try {
    return s.endsWith('%') ? new Decimal(s.slice(0, -1).trim()).dividedBy(100) : new Decimal(s);
  } catch {
    return null;
  }
}

const pct = (d: Decimal) => `${d.times(100).toDecimalPlaces(4).toString()} %`;

export interface TaxKey {
  title?: unknown;
  rate?: unknown;
  country?: unknown;
  province?: unknown;
}

export function proposeTaxCodes(key: TaxKey, codes: ErpTaxCode[], top = 3): Proposal[] {
  const rate = toRate(key.rate);
  const country = String(key.country ?? '').toUpperCase();
  const province = String(key.province ?? '').toUpperCase();
  const titleWords = tokens(String(key.title ?? '')).filter((w) => !/^\d+$/.test(w));
  const scored = codes.map((c, i) => {
    const reasons: string[] = [];
    let score = 0;
    const r = toRate(c.rate);
    if (rate && r) {
      if (r.equals(rate)) {
        score += 3;
        reasons.push(`rate ${pct(r)} equals the Shopify rate`);
      } else {
        score -= 3 + Math.min(2, r.minus(rate).abs().times(20).toNumber());
        reasons.push(`rate ${pct(r)} differs from ${pct(rate)}`);
      }
    }
    const text = `${c.code} ${c.name}`;
    const upper = text.toUpperCase().split(/[^A-Z0-9]+/);
    if (country) {
      const names = COUNTRY_ALIASES[country] ?? [country];
      if (names.some((n) => upper.includes(n))) {
        score += 1;
        reasons.push(`names the country ${country}`);
      } else if (/^[A-Z]{2}$/.test(upper[0] ?? '') && upper[0] !== 'ZERO') {
        score -= 0.5; // a code for another country
      }
    }
    if (province && upper.includes(province)) {
      score += 1;
      reasons.push(`names the region ${province}`);
    }
    const d = dice(
      titleWords,
      tokens(text).filter((w) => !/^\d+$/.test(w)),
    );
    if (d.shared.length) {
      score += 1.5 * d.score;
      reasons.push(`name shares "${d.shared.join(', ')}"`);
    }
    return { c, i, score, reasons };
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, top).map((s) => ({
    value: s.c.code,
    label: `${s.c.code} — ${s.c.name} (${toRate(s.c.rate) ? pct(toRate(s.c.rate)!) : s.c.rate})`,
    confidence: Math.round(Math.max(0, Math.min(1, s.score / 5.5)) * 100) / 100,
    reason: s.reasons.join('; ') || 'no evidence either way',
  }));
}

export interface LocationKey {
  location?: unknown;
  name?: string | null;
  address?: string | null;
}

export function proposeWarehouses(key: LocationKey, warehouses: ErpWarehouse[], top = 3): Proposal[] {
  const words = tokens(`${key.name ?? ''} ${key.address ?? ''}`).filter((w) => !['warehouse', 'gid', 'shopify', 'location'].includes(w));
  const scored = warehouses.map((w, i) => {
    const d = dice(
      words,
      tokens(`${w.code} ${w.name}`).filter((x) => x !== 'warehouse'),
    );
    return {
      w,
      i,
      score: d.score,
      reason: d.shared.length ? `name shares "${d.shared.join(', ')}"` : key.name ? 'no name in common' : 'Shopify gave only the location id: compare by name',
    };
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored
    .slice(0, top)
    .map((s) => ({ value: s.w.code, label: `${s.w.code} — ${s.w.name}`, confidence: Math.round(s.score * 100) / 100, reason: s.reason }));
}

export function proposePaymentMethods(gateway: string, methods: string[], top = 3): Proposal[] {
  const words = tokens(gateway);
  const scored = [...new Set(methods)].map((m, i) => {
    const d = dice(words, tokens(m));
    return { m, i, score: d.score, reason: d.shared.length ? `name shares "${d.shared.join(', ')}"` : 'no name in common' };
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, top).map((s) => ({ value: s.m, label: s.m, confidence: Math.round(s.score * 100) / 100, reason: s.reason }));
}
