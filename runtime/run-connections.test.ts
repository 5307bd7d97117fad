// A run resolves each connection once: its steps share one version of it, and a deferred run resolves afresh when it
// resumes (a connection fixed in between is then used).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bootRuntimes } from './testing/boot.ts';
import { defineNode, NodeError } from './node-api.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { flow } from './testing/fixtures.ts';

const boot = bootRuntimes();

/** Reports which resolution of the ERP connection it was handed; with `failFirst`, fails its first attempt. */
const useConnection = defineNode({
  type: 'test.use-connection',
  version: 1,
  title: 'Use a connection',
  category: 'erp',
  description: 'resolves the ERP connection "erp-1"',
  config: z.object({ failFirst: z.boolean().default(false) }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: { resolution: 1 },
  execute: async (ctx, _i: unknown) => {
    const c = await ctx.connection<{ resolution: number }>('erp', 'erp-1');
    if (ctx.config.failFirst && ctx.attempt === 1) throw new NodeError('busy', { errorClass: 'transient', code: 'BUSY' });
    return { resolution: c.resolution };
  },
});

describe('connections in a run', () => {
  it('are resolved once for all its steps, and again when a deferred run resumes', async () => {
    const asked: string[] = [];
    const rt = await boot([...coreNodes, useConnection], {
      connection: async (kind, id) => {
        asked.push(`${kind}/${id}`);
        return { resolution: asked.length };
      },
    });
    await rt.flows.create(
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.use-connection' },
          { id: 'b', type: 'test.use-connection' },
          { id: 'c', type: 'test.use-connection', config: { failFirst: true } },
        ],
        ['t->a', 'a->b', 'b->c'],
        { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 } },
      ),
    );
    await rt.flows.publish('f', { activate: true });
    const { runIds } = await rt.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: 'f', version: 1 }] });
    await rt.drain();
    const run = await rt.runs.get(runIds[0]!);
    expect(run.status).toBe('succeeded');
    const output = (id: string) => run.steps.find((s) => s.nodeId === id)!.output;
    // a, b and c's first attempt: one resolution; c's second attempt, in the resumed run: another.
    expect([output('a'), output('b'), output('c')]).toEqual([{ resolution: 1 }, { resolution: 1 }, { resolution: 2 }]);
    expect(asked).toEqual(['erp/erp-1', 'erp/erp-1']);
  });
});
