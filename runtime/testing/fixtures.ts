// Test helpers: temp data dirs, tiny node types with observable side effects, and flow builders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineNode, NodeError, route, skipRun, type NodeType } from '../node-api.ts';
import type { Sandbox } from '../sandbox/types.ts';

export function tempDir(prefix = 'ledgerline-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Counts executions per node id so tests can prove a step ran exactly as often as it should. */
export class Calls {
  counts = new Map<string, number>();
  hit(id: string) {
    const n = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, n);
    return n;
  }
  of(id: string) {
    return this.counts.get(id) ?? 0;
  }
}

export function testNodes(calls: Calls): NodeType[] {
  return [
    defineNode({
      type: 'test.skip-unless',
      version: 1,
      title: 'Skip unless',
      category: 'core',
      description: 'ends the run skipped unless input.go is true',
      config: z.object({}),
      inputs: [{ id: 'in' }],
      outputs: [{ id: 'out' }],
      idempotent: true,
      sampleOutput: {} as unknown,
      execute: (ctx, input: { go?: boolean; value: number }) => {
        calls.hit(ctx.nodeId);
        return input.go ? input : skipRun('NOT_GO', `value ${input.value} is not for us`, { value: input.value });
      },
    }),
    defineNode({
      type: 'test.add',
      version: 1,
      title: 'Add',
      category: 'core',
      description: 'adds config.n to input.value',
      config: z.object({ n: z.number() }),
      inputs: [{ id: 'in' }],
      outputs: [{ id: 'out' }],
      idempotent: true,
      sampleOutput: { value: 1 } as unknown,
      execute: (ctx, input: { value: number }) => {
        calls.hit(ctx.nodeId);
        return { value: input.value + ctx.config.n };
      },
    }),
    defineNode({
      type: 'test.flaky',
      version: 1,
      title: 'Flaky',
      category: 'core',
      description: 'fails with the configured class until attempt `succeedOn`',
      config: z.object({ succeedOn: z.number(), errorClass: z.enum(['transient', 'ambiguous', 'permanent']).default('transient') }),
      inputs: [{ id: 'in' }],
      outputs: [{ id: 'out' }],
      idempotent: true,
      sampleOutput: {} as unknown,
      execute: (ctx, input: unknown) => {
        calls.hit(ctx.nodeId);
        if (ctx.attempt < ctx.config.succeedOn) throw new NodeError(`flaky failure on attempt ${ctx.attempt}`, { errorClass: ctx.config.errorClass });
        return input;
      },
    }),
    defineNode({
      type: 'test.post',
      version: 1,
      title: 'Post (non-idempotent)',
      category: 'erp',
      description: 'a write that must not be repeated blindly',
      config: z.object({ failWith: z.enum(['ambiguous', 'transient']).optional(), failTimes: z.number().default(0) }),
      inputs: [{ id: 'in' }],
      outputs: [{ id: 'out' }],
      idempotent: false,
      sampleOutput: {} as unknown,
      execute: (ctx, input: unknown) => {
        const n = calls.hit(ctx.nodeId);
        if (ctx.config.failWith && n <= ctx.config.failTimes) throw new NodeError('post timed out', { errorClass: ctx.config.failWith });
        return { posted: input, key: ctx.idempotencyKey ?? null };
      },
    }),
    defineNode({
      type: 'test.router',
      version: 1,
      title: 'Router',
      category: 'core',
      description: 'routes to `big` when input.value > 10, else `small`',
      config: z.object({}),
      inputs: [{ id: 'in' }],
      outputs: [{ id: 'big' }, { id: 'small' }],
      idempotent: true,
      sampleOutput: {} as unknown,
      execute: (_ctx, input: { value: number }) => route(input.value > 10 ? 'big' : 'small', input),
    }),
    defineNode({
      type: 'test.cursor',
      version: 1,
      title: 'Cursor',
      category: 'core',
      description: 'advances a flow-state counter, then fails if config.fail',
      config: z.object({ fail: z.boolean().default(false) }),
      inputs: [{ id: 'in' }],
      outputs: [{ id: 'out' }],
      idempotent: true,
      sampleOutput: {} as unknown,
      execute: async (ctx) => {
        const n = ((await ctx.state.get<number>('n')) ?? 0) + 1;
        ctx.state.set('n', n);
        if (ctx.config.fail) throw new NodeError('boom', { errorClass: 'permanent' });
        return { n };
      },
    }),
  ];
}

type N = { id: string; type: string; name?: string; config?: Record<string, unknown>; idempotencyKey?: string; retry?: Record<string, number> };

/** A flow from a node list and `a->b` / `a:port->b` edge strings. */
export function flow(id: string, nodes: N[], edges: string[], settings?: Record<string, unknown>) {
  return {
    schemaVersion: 1 as const,
    id,
    name: id,
    nodes: nodes.map((n, i) => ({ position: { x: i * 200, y: 0 }, config: {}, ...n })),
    edges: edges.map((e, i) => {
      const [from = '', to] = e.split('->');
      const [source, sourceHandle] = from.split(':');
      return { id: `e${i}`, source, target: to, ...(sourceHandle ? { sourceHandle } : {}) };
    }),
    ...(settings ? { settings } : {}),
  };
}

/** For a runtime whose flows run no code: a call to it fails the test that made one. */
export const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('unused')),
  runBatch: async () => Promise.reject(new Error('unused')),
  close: async () => {},
};
