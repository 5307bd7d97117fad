// Mapping suggester accuracy on the labelled ERP targets (nodes/core/assist/fixtures), with default weights and with
// leave-one-ERP-out weight selection: for each in-repo ERP, the weights are chosen on the others only and scored on it.
// Run: node --import tsx bench/assist.ts   Figures: bench/README.md, "Assistance".
import { evaluate, labelledSet, type Accuracy } from '../nodes/core/assist/evaluate.ts';
import { DEFAULT_WEIGHTS, type Weights } from '../nodes/core/assist/suggest.ts';

const sets = labelledSet();
const pct = (a: number, n: number) => `${((100 * a) / n).toFixed(1)} % (${a}/${n})`;

const grid: Weights[] = [];
for (const name of [2, 3, 4])
  for (const description of [1, 2, 3])
    for (const kind of [1, 1.5, 2])
      for (const list of [1, 2, 3]) {
        const value = 1;
        grid.push({ name, description, kind, value, list, prior: 1 });
      }

const t0 = Date.now();
const cache = new Map<string, Accuracy>();
const score = (erp: string, w: Weights) => {
  const k = `${erp}|${JSON.stringify(w)}`;
  if (!cache.has(k)) cache.set(k, evaluate(sets.find((s) => s.erp === erp)!, w));
  return cache.get(k)!;
};

console.log(
  '| ERP target | fields | top-1 (default weights) | top-3 (default weights) | top-1 leave-one-out | top-3 leave-one-out | weights chosen without it |',
);
console.log('|---|---|---|---|---|---|---|');
const tuning = sets.filter((s) => !s.heldOut).map((s) => s.erp);
for (const s of sets) {
  const d = score(s.erp, DEFAULT_WEIGHTS);
  let loo = '—';
  let looTop3 = '—';
  let chosen = '—';
  if (!s.heldOut) {
    const others = tuning.filter((e) => e !== s.erp);
    let best = grid[0];
    let bestScore = -1;
    for (const w of grid) {
      const total = others.reduce((acc, e) => acc + score(e, w).top1 + 0.5 * score(e, w).top3, 0);
      if (total > bestScore) {
        bestScore = total;
        best = w;
      }
    }
    if (!best) throw new Error('the weight grid is empty');
    const a = score(s.erp, best);
    loo = pct(a.top1, a.n);
    looTop3 = pct(a.top3, a.n);
    chosen = `name ${best.name}, desc ${best.description}, kind ${best.kind}, value ${best.value}, list ${best.list}`;
  }
  console.log(`| ${s.erp}${s.heldOut ? ' (blind)' : ''} | ${d.n} | ${pct(d.top1, d.n)} | ${pct(d.top3, d.n)} | ${loo} | ${looTop3} | ${chosen} |`);
}
const all = sets.map((s) => score(s.erp, DEFAULT_WEIGHTS));
const sum = (f: (a: Accuracy) => number) => all.reduce((x, a) => x + f(a), 0);
console.log(
  `\nall: top-1 ${pct(
    sum((a) => a.top1),
    sum((a) => a.n),
  )}, top-3 ${pct(
    sum((a) => a.top3),
    sum((a) => a.n),
  )}; ${grid.length} weight sets searched in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
for (const a of all) for (const m of a.misses) console.log(`top-3 miss ${a.erp} ${m.target}: got ${m.got.join(' | ')}; want ${m.want.join(' or ')}`);
