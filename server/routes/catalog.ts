// /api/catalog: every node type with its config JSON Schema, ports and sample output (the designer's palette).
import { z as zod } from 'zod';
import type { Deps } from '../deps.ts';
import { apiRoute, json, router, z } from '../api/http.ts';
import { CatalogNodeType } from '../api/schemas.ts';
import type { NodeType } from '../../runtime/node-api.ts';
import { inputJsonSchema } from '../../nodes/core/mapping/input-schema.ts';

export function describeNodeType(t: NodeType): z.infer<typeof CatalogNodeType> {
  let configSchema: Record<string, unknown>;
  try {
    configSchema = zod.toJSONSchema(t.config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch (e) {
    configSchema = { description: `config schema not representable as JSON Schema: ${(e as Error).message}` };
  }
  return {
    type: t.type,
    version: t.version,
    title: t.title,
    category: t.category,
    description: t.description,
    configSchema,
    inputs: t.inputs.map((p) => ({ id: p.id, ...(p.title ? { title: p.title } : {}) })),
    outputs: t.outputs.map((p) => ({ id: p.id, ...(p.title ? { title: p.title } : {}) })),
    idempotent: t.idempotent,
    ...(t.trigger ? { trigger: t.trigger } : {}),
    sampleOutput: t.sampleOutput,
    ...(inputJsonSchema(t) ? { inputSchema: inputJsonSchema(t) as Record<string, unknown> } : {}),
  };
}

export function catalogRouter(_d: Deps, nodeTypes: () => NodeType[]) {
  const app = router();
  app.openapi(
    apiRoute('catalog.read', {
      method: 'get',
      path: '/catalog',
      tags: ['catalog'],
      responses: { 200: json(z.object({ nodeTypes: z.array(CatalogNodeType) })) },
    }),
    (c) => c.json({ nodeTypes: nodeTypes().map(describeNodeType) }, 200),
  );
  return app;
}
