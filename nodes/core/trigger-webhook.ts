import { z } from 'zod';
import { defineNode } from '../../runtime/node-api.ts';

export const webhookTrigger = defineNode({
  type: 'trigger.webhook',
  version: 1,
  title: 'Webhook',
  category: 'trigger',
  description:
    'Starts the flow for each JSON body POSTed to its webhook URL. The body is kept before the request is answered; ' +
    'a `dedupHeader` (e.g. an event id header) makes repeat deliveries start nothing.',
  config: z
    .object({
      dedupHeader: z.string().min(1).optional(),
      sampleEvent: z.unknown().optional(),
    })
    .strict(),
  inputs: [],
  outputs: [{ id: 'out' }],
  idempotent: true,
  dryRun: 'pure',
  trigger: 'webhook',
  sampleOutput: { id: 'evt_123', type: 'example', data: { amount: '10.00' } } as unknown,
  execute: (_ctx, body: unknown) => body,
});
