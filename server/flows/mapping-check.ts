// Validation and publish check that each mapping works on its node's real input: the preview of every core.map
// node must succeed on its latest sample (a test or production run's input, or the trigger's example). A mapping
// that "validates" but fails on the first order is refused before it goes live.
import type { Runtime } from '../../runtime/index.ts';
import type { Flow } from '../../flows/schema.ts';
import type { Problem } from '../../flows/validate.ts';
import { previewMap } from '../../nodes/core/mapping/index.ts';
import type { LookupSource } from '../../runtime/node-api/lookups.ts';
import { nodeSamples } from './node-samples.ts';

export async function mappingPreviewProblems(rt: Runtime, lookups: LookupSource, flowId: string, draft: Flow): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const [i, node] of draft.nodes.entries()) {
    if (node.type !== 'core.map') continue;
    const [sample] = await nodeSamples(rt, flowId, draft, node.id, 1);
    if (!sample) continue;
    const r = await previewMap(node.config, sample.value, { sandbox: rt.sandbox, lookups, flowId, trigger: sample.trigger, nodeId: node.id });
    if (r.ok || r.configProblems.length) continue; // config problems are reported by validation itself
    const where = sample.kind === 'sample' ? 'the example event' : `the input of ${sample.kind === 'test' ? 'test run' : 'run'} ${sample.id}`;
    for (const p of r.problems.slice(0, 5)) {
      problems.push({ where: node.id, path: `$.nodes[${i}].config.fields`, message: `On ${where}, "${p.target}" fails: ${p.message}` });
    }
  }
  return problems;
}
