// A template is the first flow a consultant reads: it has to read left to right like the run it describes. Nodes
// squeezed in after a template was first drawn (the payment gate, the Shopify confirmations, the restock lookups) sat
// under and behind their neighbours, their wires running backwards through other nodes.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What the designer draws a node as (designer/src/layout/auto-layout.ts), and the least gap that leaves a wire visible.
const WIDTH = 220;
const HEIGHT = 72;
const GAP = 40;

type Box = { id: string; x: number; y: number };
type Template = { nodes: { id: string; position: { x: number; y: number } }[]; edges: { source: string; target: string }[] };

const dir = new URL('./', import.meta.url);
const templates = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, flow: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Template }));

const inside = (b: Box, x: number, y: number) => x > b.x && x < b.x + WIDTH && y > b.y && y < b.y + HEIGHT;

function layoutProblems(flow: Template): string[] {
  const box = new Map(flow.nodes.map((n) => [n.id, { id: n.id, ...n.position }]));
  const problems: string[] = [];
  const all = [...box.values()];
  for (const [i, a] of all.entries())
    for (const b of all.slice(i + 1)) if (Math.abs(a.x - b.x) < WIDTH + GAP && Math.abs(a.y - b.y) < HEIGHT + GAP) problems.push(`${a.id} and ${b.id} overlap`);
  for (const e of flow.edges) {
    const s = box.get(e.source)!;
    const t = box.get(e.target)!;
    if (t.x < s.x + WIDTH + GAP) problems.push(`${e.source} → ${e.target} runs backwards or has no room`);
    // The wire from the source's right handle to the target's left one, sampled along its chord.
    const [x0, y0, x1, y1] = [s.x + WIDTH, s.y + HEIGHT / 2, t.x, t.y + HEIGHT / 2];
    const through = all.filter(
      (b) => b !== s && b !== t && Array.from({ length: 41 }, (_, k) => k / 40).some((u) => inside(b, x0 + u * (x1 - x0), y0 + u * (y1 - y0))),
    );
    for (const b of through) problems.push(`${e.source} → ${e.target} runs through ${b.id}`);
  }
  return problems;
}

describe('template layout', () => {
  it.each(templates.map((t) => [t.file, t.flow] as const))('%s reads left to right with no node over another', (_file, flow) => {
    expect(layoutProblems(flow)).toEqual([]);
  });

  it('finds what the checks are for', () => {
    const node = (id: string, x: number, y: number) => ({ id, position: { x, y } });
    expect(
      layoutProblems({
        nodes: [node('a', 0, 0), node('b', 120, 60), node('c', 400, 0), node('d', 700, 0)],
        edges: [
          { source: 'a', target: 'b' },
          { source: 'a', target: 'd' },
        ],
      }),
    ).toEqual(['a and b overlap', 'a → b runs backwards or has no room', 'a → d runs through c']);
  });
});
