// Accuracy of the suggester on the labelled set (fixtures/labels.json): per ERP target, the share of labelled target
// fields whose correct Shopify path is the first suggestion (top-1) or among the first three (top-3).
import { readFileSync } from 'node:fs';
import { suggestMapping, type Weights } from './suggest.ts';

export interface LabelledErp {
  erp: string;
  schema: unknown;
  labels: Record<string, string[]>;
  heldOut: boolean;
}

export interface Accuracy {
  erp: string;
  n: number;
  top1: number;
  top3: number;
  misses: Array<{ target: string; got: string[]; want: string[] }>;
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

export function labelledSet(): LabelledErp[] {
  const raw = JSON.parse(readFileSync(fixture('labels.json'), 'utf8')) as Record<
    string,
    { schema: string; labels: Record<string, string[]>; heldOut?: boolean }
  >;
  return Object.entries(raw)
    .filter(([k]) => !k.startsWith('$'))
    .map(([erp, v]) => ({ erp, schema: JSON.parse(readFileSync(fixture(v.schema), 'utf8')), labels: v.labels, heldOut: !!v.heldOut }));
}

export function evaluate(set: LabelledErp, weights?: Partial<Weights>): Accuracy {
  const r = suggestMapping(set.schema, { weights });
  const acc: Accuracy = { erp: set.erp, n: 0, top1: 0, top3: 0, misses: [] };
  for (const t of r.targets) {
    const want = set.labels[t.target];
    if (!want) continue;
    acc.n++;
    const got = t.candidates.map((c) => c.path);
    const first = got[0];
    if (first !== undefined && want.includes(first)) acc.top1++;
    if (got.slice(0, 3).some((p) => want.includes(p))) acc.top3++;
    else acc.misses.push({ target: t.target, got, want });
  }
  const missing = Object.keys(set.labels).filter((k) => !r.targets.some((t) => t.target === k));
  if (missing.length) throw new Error(`${set.erp}: labelled targets not in the schema: ${missing.join(', ')}`);
  return acc;
}
