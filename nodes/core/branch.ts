import { z } from 'zod';
import { defineNode, route, sandboxCodeMeta } from '../../runtime/node-api.ts';

export const branchNode = defineNode({
  type: 'core.branch',
  version: 1,
  title: 'Branch',
  category: 'core',
  description: 'Sends its input out of `true` or `false` by a sandboxed JavaScript expression over `input`, e.g. `input.total_price > 100`.',
  config: z.object({ condition: z.string().min(1, 'condition is empty').meta(sandboxCodeMeta('expression')) }).strict(),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'true' }, { id: 'false' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {} as unknown,
  async execute(ctx, input: unknown) {
    const r = await ctx.sandbox.run({ nodeId: ctx.nodeId, kind: 'expression', source: ctx.config.condition, vars: { input: ctx.rawInput ?? input } });
    return route(r.value ? 'true' : 'false', input);
  },
});
