// The node catalog as the API contract describes it, built from the real node registry (test code only; the
// browser bundle gets it over HTTP).
import { z } from 'zod';
import { nodeTypes } from '../../nodes/registry.ts';
import type { NodeTypeInfo } from '../src/api/types.ts';

export function catalogFromRegistry(): NodeTypeInfo[] {
  return nodeTypes.map((t) => ({
    type: t.type,
    version: t.version,
    title: t.title,
    category: t.category,
    description: t.description,
    configSchema: z.toJSONSchema(t.config, { io: 'input', unrepresentable: 'any' }) as NodeTypeInfo['configSchema'],
    inputs: t.inputs,
    outputs: t.outputs,
    idempotent: t.idempotent,
    ...(t.trigger ? { trigger: t.trigger } : {}),
    sampleOutput: t.sampleOutput,
  }));
}
