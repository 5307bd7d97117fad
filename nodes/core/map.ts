import { defineNode, permanentError } from '../../runtime/node-api.ts';
import { mapConfigSchema } from './mapping/config.ts';
import { compileCached } from './mapping/compile.ts';
import { runMap, type FieldProblem } from './mapping/engine.ts';
import { unfilledRequired } from './mapping/targets.ts';
import { inputJsonSchema } from './mapping/input-schema.ts';
import type { FieldInput } from './mapping/config.ts';

export const mapNode = defineNode({
  type: 'core.map',
  version: 1,
  title: 'Map fields',
  category: 'core',
  description:
    'Builds an object field by field without code: each target field comes from a source path, a constant, a lookup ' +
    'table, or a list mapped element by element (with filters), shaped by built-in transforms (trim, case, pad, ' +
    'split/join, dates, decimal rounding, defaults, concatenation). Consultants may use sandboxed JavaScript expressions.',
  config: mapConfigSchema,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {} as Record<string, unknown>,
  // Every required field of the next node's declared input must be filled, or the mapping fails on the first order.
  check(config, { next }) {
    const problems: Array<{ path: PropertyKey[]; message: string }> = [];
    for (const n of next) {
      const schema = inputJsonSchema(n.type);
      if (!schema) continue;
      for (const target of unfilledRequired(config.fields as FieldInput[], schema)) {
        problems.push({ path: ['fields'], message: `The mapping does not fill "${target}", which ${n.type.title} (${n.nodeId}) requires` });
      }
    }
    return problems;
  },
  async execute(ctx, input: unknown) {
    const lookups = ctx.lookups;
    const r = await runMap(compileCached(ctx.config), input, {
      nodeId: ctx.nodeId,
      flowId: ctx.flowId,
      runId: ctx.runId,
      sandbox: ctx.sandbox,
      lookups,
      trigger: ctx.trigger,
      // Read only when the mapping has expressions: the runtime makes the input's text on demand.
      get rawInput() {
        return ctx.rawInput;
      },
    });
    // A crashed sandbox process says nothing about the mapping: let the runtime retry it.
    if (r.sandboxFailure) throw r.sandboxFailure;
    if (r.problems.length) throw mappingError(r.problems);
    for (const u of r.lookupsUsed) {
      await lookups?.recordUse?.({ runId: ctx.runId, nodeId: ctx.nodeId, tableId: u.tableId, version: u.version });
      ctx.readConfig?.({ kind: 'lookup', table: u.table, scope: u.scope, tableId: u.tableId, version: u.version });
    }
    return r.output;
  },
});

export function mappingError(problems: FieldProblem[]) {
  const head =
    problems.length === 1
      ? problems[0]!.message
      : `${problems.length} mapping problems: ${problems
          .slice(0, 5)
          .map((p) => p.message)
          .join('; ')}${problems.length > 5 ? '; ...' : ''}`;
  const lookupOnly = problems.every((p) => p.code === 'lookup');
  return permanentError(head, {
    code: lookupOnly ? 'LOOKUP_MISSING' : 'MAPPING_FAILED',
    details: { problems: problems.slice(0, 100) },
  });
}
