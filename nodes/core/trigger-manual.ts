import { z } from 'zod';
import { defineNode } from '../../runtime/node-api.ts';

export const manualTrigger = defineNode({
  type: 'trigger.manual',
  version: 1,
  title: 'Manual trigger',
  category: 'trigger',
  description: 'Starts the flow when someone presses Run (or `ledgerline run`), with the JSON event they give.',
  config: z.object({ sampleEvent: z.unknown().optional() }).strict(),
  inputs: [],
  outputs: [{ id: 'out' }],
  idempotent: true,
  dryRun: 'pure',
  trigger: 'manual',
  sampleOutput: { message: 'hello from a manual run' } as unknown,
  execute: (_ctx, event: unknown) => event,
});
