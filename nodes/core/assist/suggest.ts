// The offline mapping suggester: for each target field of a JSON Schema, ranks the canonical Shopify order's fields
// by name, Shopify's and the target's descriptions, value kinds and the sample's values. Deterministic (no clock, no
// randomness, ties broken by catalogue order) and explainable: every candidate says why.
import { compatibility, KIND_LABEL, valueFits, type ValueKind } from './kinds.ts';
import { defaultOrderSample, orderFromSample, sampleValue } from './sample.ts';
import { SOURCES, type SourceField } from './source-catalog.ts';
import { GENERIC_LEAVES, targetFields, type TargetField } from './target-schema.ts';
import { conceptNote, splitWords, tokens } from './tokens.ts';

export interface Weights {
  name: number;
  description: number;
  kind: number;
  value: number;
  list: number;
  prior: number;
}

/** Chosen by leave-one-ERP-out search on the labelled set (bench/assist.ts); see bench/README.md. */
export const DEFAULT_WEIGHTS: Weights = { name: 3, description: 2, kind: 1.5, value: 1, list: 2, prior: 1 };

export interface MapTransform {
  op: string;
  [k: string]: unknown;
}

export interface Candidate {
  /** Canonical source path, e.g. `order.lineItems[].sku`. */
  path: string;
  /** 0..1. */
  confidence: number;
  score: number;
  reason: string;
  /** Transforms the value needs to fit the target (an ISO timestamp cut to a date...). */
  transforms: MapTransform[];
  sampleValue?: unknown;
}

export interface TargetSuggestion {
  target: string;
  kind: ValueKind;
  required: boolean;
  description: string;
  candidates: Candidate[];
}

export interface SuggestResult {
  source: string;
  /** Target list -> the source list it was aligned with (`lines` -> `order.lineItems`). */
  lists: Record<string, string | null>;
  targets: TargetSuggestion[];
}

export interface SuggestOptions {
  source?: string;
  /** A Shopify order event (trigger output, canonical order or webhook body); defaults to Shopify's published example. */
  sample?: unknown;
  /** Candidates per target (default 3). */
  top?: number;
  weights?: Partial<Weights>;
}

interface Doc {
  leaf: string[];
  ctx: string[];
  all: string[];
  aka: string[][];
}

const DISCOUNT = tokens('discount')[0]!;
const PRICE_WORDS = new Set(tokens('price amount total net gross'));
/** Under the confidence the mapper ticks a suggestion at (SuggestPanel: 0.2): shown, never accepted by default. */
const NOT_TICKED = 0.15;
/** The field a source path names: `discountedPrice` for `shippingLines[].discountedPrice.shop.amount`. */
function moneyField(segments: string[]): string {
  const segs = segments.map((x) => x.replace(/\[\]$/, ''));
  const money = segs.length >= 3 && (segs[segs.length - 2] === 'shop' || segs[segs.length - 2] === 'presentment');
  return (money ? segs[segs.length - 3] : segs[segs.length - 1]) ?? '';
}

function sourceDoc(s: SourceField): Doc {
  const segs = s.segments.map((x) => x.replace(/\[\]$/, ''));
  const moneyLeaf = segs.length >= 3 && (segs[segs.length - 2] === 'shop' || segs[segs.length - 2] === 'presentment');
  // A money bag's leaf is `amount`; the field that names it is two up (`unitPrice.shop.amount`).
  const leafSegs = moneyLeaf ? [segs[segs.length - 3], segs[segs.length - 1] === 'amount' ? '' : 'currency code'] : [segs[segs.length - 1]];
  const ctxSegs = moneyLeaf ? segs.slice(0, -3) : segs.slice(0, -1);
  const leaf = tokens(leafSegs.join(' '));
  const ctx = tokens(ctxSegs.join(' '));
  const aka = s.aka.map((a) => tokens(a));
  return { leaf, ctx, aka, all: [...leaf, ...ctx, ...aka.flat(), ...tokens(s.description)] };
}

// In a parent segment, `_id`/`Id` only says "a reference to a record" (Odoo's partner_id, NetSuite's entity): not a word.
const parentWords = (seg: string) => tokens(seg).filter((w) => w !== 'id');

function targetDoc(t: TargetField): Doc {
  const segs = t.segments.map((x) => x.replace(/\[\]$/, ''));
  // targetFields never yields a field without segments.
  const leafTokens = tokens(segs[segs.length - 1] ?? '');
  const parent = segs.length > 1 ? parentWords(segs[segs.length - 2] ?? '') : [];
  // ...except in an address, whose `name` is the addressee's, not the address's.
  const generic = leafTokens.every((w) => GENERIC_LEAVES.has(w)) && !parent.includes('address');
  // `currency.code`, `party.name`, `entity.refName`: the parent names the thing, the leaf only says which handle of it.
  const leaf = generic && segs.length > 1 ? [...parent, ...leafTokens] : leafTokens;
  const ctx = segs.slice(0, -1).flatMap(parentWords);
  return { leaf, ctx, aka: [], all: [...leaf, ...ctx, ...tokens(t.description), ...t.context.flatMap((c) => tokens(c)).slice(0, 12)] };
}

/** A source field with its words and their weighted vector. */
interface Indexed {
  s: SourceField;
  doc: Doc;
  vec: Vec;
}

interface Index {
  entries: Indexed[];
  idf: Idf;
}
const indexes = new Map<string, Index>();

/** The source side's words and their weights: the same for every target, so built once per source. */
function indexOf(name: string, sources: SourceField[]): Index {
  let ix = indexes.get(name);
  if (!ix) {
    const docs = sources.map((s) => ({ s, doc: sourceDoc(s) }));
    const idf = new Idf(docs.map((d) => d.doc.all));
    ix = { entries: docs.map(({ s, doc }) => ({ s, doc, vec: vector(doc.all, idf) })), idf };
    indexes.set(name, ix);
  }
  return ix;
}

class Idf {
  private df = new Map<string, number>();
  private n: number;
  constructor(docs: string[][]) {
    this.n = docs.length;
    for (const d of docs) for (const w of new Set(d)) this.df.set(w, (this.df.get(w) ?? 0) + 1);
  }
  private memo = new Map<string, number>();
  of(w: string): number {
    let v = this.memo.get(w);
    if (v === undefined) {
      v = Math.log(1 + this.n / (1 + (this.df.get(w) ?? 0)));
      this.memo.set(w, v);
    }
    return v;
  }
}

/** idf-weighted Dice overlap of two word sets, 0..1, with the shared words. */
function overlap(a: string[], b: string[], idf: Idf): { score: number; shared: string[] } {
  const A = new Set(a);
  const B = new Set(b);
  if (!A.size || !B.size) return { score: 0, shared: [] };
  let inter = 0;
  let sa = 0;
  let sb = 0;
  const shared: string[] = [];
  for (const w of A) {
    sa += idf.of(w);
    if (B.has(w)) {
      inter += idf.of(w);
      shared.push(w);
    }
  }
  for (const w of B) sb += idf.of(w);
  return { score: (2 * inter) / (sa + sb), shared };
}

interface Vec {
  w: Map<string, number>;
  norm: number;
}

function vector(words: string[], idf: Idf): Vec {
  const w = new Map<string, number>();
  for (const x of words) w.set(x, (w.get(x) ?? 0) + idf.of(x));
  let n = 0;
  for (const v of w.values()) n += v * v;
  return { w, norm: Math.sqrt(n) };
}

function cosine(a: Vec, b: Vec, _idf?: Idf): { score: number; shared: string[] } {
  if (!a.norm || !b.norm) return { score: 0, shared: [] };
  let dot = 0;
  const shared: Array<[string, number]> = [];
  for (const [w, x] of a.w) {
    const y = b.w.get(w);
    if (y) {
      dot += x * y;
      shared.push([w, x * y]);
    }
  }
  return { score: dot / (a.norm * b.norm), shared: shared.sort((p, q) => q[1] - p[1]).map(([w]) => w) };
}

function transformsFor(t: TargetField, s: SourceField): MapTransform[] {
  if (t.kind === 'date' && s.kind === 'datetime') return [{ op: 'date', format: 'yyyy-MM-dd', timeZone: 'UTC' }];
  if (t.type === 'string' && (s.kind === 'integer' || s.kind === 'number'))
    return [{ op: 'type', to: t.pattern && /\\d/.test(t.pattern) ? 'decimal' : 'string' }];
  if ((t.type === 'number' || t.type === 'integer') && (s.kind === 'money' || s.kind === 'decimal')) return [{ op: 'type', to: 'number' }];
  if (t.kind !== 'strings' && t.type === 'string' && s.kind === 'strings') return [{ op: 'join', separator: ',' }];
  return [];
}

/** Does a sample value satisfy the target's own constraints (pattern, enum, format)? null when it says nothing. */
function fitsTarget(t: TargetField, v: unknown, transforms: MapTransform[]): { ok: boolean; why: string } | null {
  if (v === null || v === undefined || v === '' || (typeof v === 'object' && !Array.isArray(v))) return null;
  if (Array.isArray(v)) {
    if (t.kind === 'strings') return { ok: true, why: 'sample is a list' };
    return null;
  }
  const text = transforms.some((x) => x.op === 'date') ? String(v).slice(0, 10) : String(v);
  if (t.pattern) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(t.pattern, 'u');
    } catch {
      re = null;
    }
    if (re)
      return re.test(text)
        ? { ok: true, why: `sample ${JSON.stringify(text)} fits ${t.pattern}` }
        : { ok: false, why: `sample ${JSON.stringify(text)} does not fit ${t.pattern}` };
  }
  if (t.enum)
    return t.enum.includes(v)
      ? { ok: true, why: `sample ${JSON.stringify(v)} is an allowed value` }
      : { ok: false, why: `sample ${JSON.stringify(v)} is not one of the allowed values` };
  const fits = valueFits(t.kind, transforms.some((x) => x.op === 'date') ? text : v);
  if (fits === null) return null;
  return fits
    ? { ok: true, why: `sample ${JSON.stringify(v)} is ${KIND_LABEL[t.kind]}` }
    : { ok: false, why: `sample ${JSON.stringify(v)} is not ${KIND_LABEL[t.kind]}` };
}

const clamp = (x: number, lo = 0, hi = 1) => Math.max(lo, Math.min(hi, x));
const round = (x: number, p = 2) => Math.round(x * 10 ** p) / 10 ** p;
const display = (words: string[]) => [...new Set(words)].slice(0, 3).join(', ');

export function suggestMapping(targetSchema: unknown, opts: SuggestOptions = {}): SuggestResult {
  const sourceName = opts.source ?? 'shopify.order';
  const load = SOURCES[sourceName];
  if (!load) throw new Error(`unknown source "${sourceName}" (known: ${Object.keys(SOURCES).join(', ')})`);
  const w: Weights = { ...DEFAULT_WEIGHTS, ...opts.weights };
  const top = Math.max(1, opts.top ?? 3);
  const targets = targetFields(targetSchema);
  const sources = load();
  const sample = opts.sample === undefined ? defaultOrderSample() : orderFromSample(opts.sample);
  const { entries, idf } = indexOf(sourceName, sources);
  const lists = alignLists(targets, entries, idf);

  const out: TargetSuggestion[] = targets.map((t) => {
    const tDoc = targetDoc(t);
    const aligned = t.list ? lists[t.list] : null;
    const tVec = vector(tDoc.all, idf);
    const notes = [...new Set(splitWords(t.segments.join(' ')).map(conceptNote).filter(Boolean))].slice(0, 2);
    const targetParents = new Set(t.segments.slice(0, -1).flatMap(parentWords));
    const targetWords = new Set([...tDoc.leaf, ...tDoc.ctx, ...tokens(t.description)]);
    const discountTarget = tDoc.leaf.includes(DISCOUNT) && !tDoc.leaf.some((x) => PRICE_WORDS.has(x));
    const scored = entries.map(({ s, doc: sd, vec }) => {
      const reasons: string[] = [];
      // Name: the leaf words weigh most; the enclosing objects (billing vs shipping address) break ties.
      let leaf = overlap(tDoc.leaf, sd.leaf, idf);
      let alias: string | null = null;
      sd.aka.forEach((a, k) => {
        const o = overlap(tDoc.leaf, a, idf);
        if (o.score * 0.95 > leaf.score) {
          leaf = { score: o.score * 0.95, shared: o.shared };
          alias = s.aka[k] ?? null;
        }
      });
      const whole = overlap([...tDoc.leaf, ...tDoc.ctx], [...sd.leaf, ...sd.ctx], idf);
      const name = 0.7 * leaf.score + 0.3 * whole.score;
      const shared = leaf.shared.length ? leaf.shared : whole.shared;
      if (shared.length) {
        reasons.push(
          `name matches "${display(shared)}"${alias ? ` (Shopify's ${s.segments[s.segments.length - 1]} is also called "${alias}")` : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`,
        );
      }
      const desc = cosine(tVec, vec, idf);
      const descWords = desc.shared.filter((x) => !shared.includes(x));
      if (desc.score > 0.15 && descWords.length) reasons.push(`descriptions share "${display(descWords)}"`);
      const kind = compatibility(t.kind, s.kind);
      const transforms = transformsFor(t, s);
      if (kind >= 1) reasons.push(`both are ${KIND_LABEL[t.kind]}`);
      else if (kind > 0 && transforms.length) reasons.push(`${KIND_LABEL[s.kind]} → ${KIND_LABEL[t.kind]} (${transforms.map((x) => x.op).join(', ')})`);
      else if (kind <= -0.5) reasons.push(`but ${KIND_LABEL[s.kind]} is not ${KIND_LABEL[t.kind]}`);
      const v = sampleValue(sample, s.path);
      const fit = fitsTarget(t, v, transforms);
      const value = fit ? (fit.ok ? 1 : -1) : 0;
      if (fit) reasons.push(fit.why);
      let list = 0;
      if (t.list) {
        if (s.list === aligned) list = 1;
        else if (s.list === null)
          list = 0.3; // an order-level value repeated on every line (a warehouse)
        else list = -1;
        if (s.list === aligned && aligned) reasons.push(`${t.list}[] ↔ ${aligned.replace(/^order\./, '')}[]`);
      } else if (s.list) list = -1.2; // one value cannot come from a list
      let prior = 0;
      if (s.segments.includes('presentment')) prior -= 0.3; // ERP documents are booked in the shop currency
      // A money bag's currency repeats the order's; the order's own field is the one to map.
      if (s.segments[s.segments.length - 1] === 'currencyCode') prior -= 0.3;
      // A field of the customer object comes from the customer, their addresses or the order's email.
      if (targetParents.has('customer') && !['customer', 'billingAddress', 'shippingAddress', 'email'].includes(s.segments[0] ?? '')) prior -= 0.3;
      // A customer's address is the billing one unless the target says shipping/delivery.
      if (s.segments[0] === 'shippingAddress' && !targetWords.has('shipping')) prior -= 0.2;
      if (s.segments[0] === 'billingAddress' && targetWords.has('shipping') && !targetWords.has('billing')) prior -= 0.2;
      // A discount target takes a discount amount. A discounted price is what is left after it (mapped as the
      // discount, it zeroes the charge); a price is the charge itself. Neither is offered ticked.
      let untick = false; // shown, never ticked
      if (discountTarget && (s.kind === 'money' || s.kind === 'decimal')) {
        const field = moneyField(s.segments);
        if (/^discounted/i.test(field) || !tokens(field).includes(DISCOUNT)) {
          untick = true;
          prior -= 1;
          reasons.push(/^discounted/i.test(field) ? 'but a discounted price is what is left after the discount, not the discount' : 'but it is not a discount');
        }
      }
      // One line's amount is not the whole order's (the order's total discount on every shipping line).
      if (t.list && s.list === null && (s.kind === 'money' || s.kind === 'decimal')) {
        untick = true;
        prior -= 0.5;
        reasons.push(`but it is the whole order's amount, not one of ${t.list}[]`);
      }
      const score = w.name * name + w.description * desc.score + w.kind * kind + w.value * value + w.list * list + w.prior * prior;
      return { s, score, reasons, transforms, v, untick };
    });
    scored.sort((a, b) => b.score - a.score || sources.indexOf(a.s) - sources.indexOf(b.s));
    const best = scored.slice(0, top);
    // Confidence: how strong the evidence is (a logistic of the score, centred where right and wrong first choices
    // separated on the labelled set) times how clearly the first beats the second; never rising down the list.
    let prev = 1;
    const candidates: Candidate[] = best.map((c, i) => {
      const strength = 1 / (1 + Math.exp(-(c.score - 3.5) / 0.8));
      const gap = i === 0 ? clamp((c.score - (scored[1]?.score ?? 0)) / 0.6) : 0;
      const conf = Math.min(prev, strength * (0.5 + 0.5 * gap), c.untick ? NOT_TICKED : 1);
      prev = conf;
      return {
        path: c.s.path,
        confidence: round(conf),
        score: round(c.score, 3),
        reason: c.reasons.join('; ') || 'weak match',
        transforms: c.transforms,
        ...(c.v !== undefined ? { sampleValue: c.v } : {}),
      };
    });
    return { target: t.path, kind: t.kind, required: t.required, description: t.description, candidates };
  });
  return { source: sourceName, lists, targets: out };
}

/** Aligns each target list (`lines`, `salesOrderLines`) with a source list by names and by how well their fields match. */
function alignLists(targets: TargetField[], entries: Indexed[], idf: Idf): Record<string, string | null> {
  const byList = new Map<string, TargetField[]>();
  for (const t of targets) if (t.list) byList.set(t.list, [...(byList.get(t.list) ?? []), t]);
  const sourceLists = [...new Set(entries.map((e) => e.s.list).filter((x): x is string => !!x))];
  const result: Record<string, string | null> = {};
  for (const [list, fields] of byList) {
    // Every list in byList was added with the field that named it.
    const listWords = tokens(fields[0]!.listWords);
    let best: string | null = null;
    let bestScore = 0;
    for (const sl of sourceLists) {
      const members = entries.filter((e) => e.s.list === sl);
      const nameSim = overlap(listWords, tokens(sl.replace(/^order\./, '')), idf).score;
      let fieldSim = 0;
      for (const f of fields) {
        const fd = targetDoc(f);
        let m = 0;
        for (const { doc } of members) m = Math.max(m, overlap(fd.leaf, doc.leaf, idf).score);
        fieldSim += m;
      }
      const score = nameSim + fieldSim / fields.length;
      if (score > bestScore) {
        bestScore = score;
        best = sl;
      }
    }
    result[list] = best;
  }
  return result;
}
