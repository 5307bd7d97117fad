import { z } from 'zod';
import { defineNode, sandboxCodeMeta, WithJson } from '../../runtime/node-api.ts';

export const codeNode = defineNode({
  type: 'core.code',
  version: 1,
  title: 'Code',
  category: 'core',
  description:
    'JavaScript run in the sandbox: the body of an async function that receives `input` (the upstream output) and ' +
    "returns this node's output. No network, files or timers; 1 s and 64 MB per call unless the flow says otherwise.",
  config: z
    .object({
      code: z.string().min(1, 'code is empty').meta(sandboxCodeMeta('function')),
      timeoutMs: z.number().int().min(1).max(30_000).optional(),
      memoryMb: z.number().int().min(8).max(512).optional(),
    })
    .strict(),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  // The sandbox has no way to reach other systems, so running the same code again cannot duplicate an effect.
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {} as unknown,
  async execute(ctx, input: unknown) {
    const r = await ctx.sandbox.run({
      nodeId: ctx.nodeId,
      kind: 'function',
      source: ctx.config.code,
      vars: { input: ctx.rawInput ?? input },
      timeoutMs: ctx.config.timeoutMs,
      memoryMb: ctx.config.memoryMb,
    });
    return new WithJson(r.value, r.json);
  },
});
