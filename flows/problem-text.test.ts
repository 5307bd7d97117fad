import { describe, expect, it } from 'vitest';
import { validateFlow } from './validate.ts';
import { fieldLabel } from './problem-text.ts';
import { z } from 'zod';
import type { NodeType } from '../runtime/node-api.ts';

// Shaped like nodes/shopify's trigger (flows/ may not import nodes/).
const trigger: NodeType = {
  type: 'shopify.trigger',
  version: 1,
  title: 'Shopify event',
  category: 'trigger',
  description: '',
  trigger: 'shopify-webhook',
  config: z.object({ connection: z.string().min(1, 'connection id is required'), topic: z.enum(['orders/create', 'orders/paid']) }).strict(),
  inputs: [],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: () => ({}),
};
const lookup = (t: string) => (t === trigger.type ? trigger : undefined);
const doc = (config: unknown) => ({
  schemaVersion: 1,
  id: 'f',
  name: 'f',
  nodes: [{ id: 'shopify', type: 'shopify.trigger', position: { x: 0, y: 0 }, config }],
  edges: [],
});

describe('config problems for people', () => {
  it('says what a node needs instead of zod’s "Invalid input"', () => {
    const r = validateFlow(doc({ topic: 'orders/paid' }), lookup);
    expect(r.ok).toBe(false);
    const p = r.problems.find((x) => x.path === '$.nodes[0].config.connection');
    expect(p?.message).toBe('The Shopify event trigger needs a connection');
    expect(p?.where).toBe('shopify');
  });

  it('lists the allowed values of a choice and what was given', () => {
    const r = validateFlow(doc({ connection: 'shop', topic: 'orders/eaten' }), lookup);
    expect(r.problems.find((x) => x.path === '$.nodes[0].config.topic')?.message).toMatch(
      /^The Shopify event trigger: topic must be one of "orders\/create", .* \(it is "orders\/eaten"\)$/,
    );
  });

  it('names nested fields in words', () => {
    expect(fieldLabel(['lines', 0, 'taxCodes'])).toBe('lines 1 tax codes');
    expect(fieldLabel(['sweep', 'overlapMinutes'])).toBe('sweep overlap minutes');
  });
});
