// /api/mapping/preview: maps a sample event with a core.map config and says, per target field, where its value came
// from (the designer's mapper shows this live). The sample defaults to the flow trigger's sample output.
import type { Deps } from '../deps.ts';
import { apiRoute, currentUser, json, jsonBody, router, z, HttpError } from '../api/http.ts';
import { containsCode } from '../flows/client-edits.ts';
import { previewMap } from '../../nodes/core/mapping/index.ts';

const PreviewRequest = z
  .object({
    config: z.unknown().openapi({ description: 'A core.map config (fields, sources, transforms).' }),
    sample: z.unknown().optional().openapi({ description: 'The input to map; defaults to the sample output of the flow trigger.' }),
    flowId: z.string().optional().openapi({ description: 'Resolves flow-scoped lookup tables and the default sample.' }),
    trigger: z
      .unknown()
      .optional()
      .openapi({ description: 'The event that started the run the sample comes from, for `$trigger.` paths; defaults to the sample.' }),
  })
  .openapi('MappingPreviewRequest');

const FieldTrace = z
  .object({
    target: z.string().openapi({ description: 'Concrete output path, e.g. `lines[2].sku`.' }),
    kind: z.enum(['path', 'const', 'lookup', 'expr', 'each']),
    source: z.string().openapi({ description: 'Concrete source path (`lineItems[2].sku`), expression, or `table[key]`.' }),
    value: z.unknown().optional(),
    error: z.string().optional(),
    lookup: z.object({ table: z.string(), version: z.number(), key: z.record(z.string(), z.unknown()) }).optional(),
    count: z
      .object({ elements: z.number(), kept: z.number() })
      .optional()
      .openapi({ description: 'For a list: how many elements the source had and how many the filter kept (their fields follow).' }),
  })
  .openapi('MappingFieldTrace');

const FieldProblem = z
  .object({
    target: z.string(),
    source: z.string(),
    message: z.string(),
    code: z.enum(['missing', 'transform', 'expression', 'lookup', 'not-a-list', 'lookup-table']),
    table: z.string().optional(),
    scope: z.string().optional().openapi({ description: "The table's scope (`shared` or the flow id) when it was found." }),
    key: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('MappingFieldProblem');

export const PreviewResponse = z
  .object({
    ok: z.boolean(),
    output: z.record(z.string(), z.unknown()).nullable(),
    fields: z.array(FieldTrace),
    problems: z.array(FieldProblem),
    configProblems: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .openapi({ description: 'Problems in the configuration itself (by JSON path), when it does not validate.' }),
    lookupsUsed: z.array(z.object({ table: z.string(), version: z.number() })),
    durationMs: z.number(),
  })
  .openapi('MappingPreview');

export function mappingRouter(d: Deps) {
  const app = router();
  app.openapi(
    apiRoute('mapping.preview', {
      method: 'post',
      path: '/mapping/preview',
      tags: ['mapping'],
      summary: 'Preview a mapping against a sample event',
      request: jsonBody(PreviewRequest),
      responses: { 200: json(PreviewResponse) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      // Expressions are consultant-only everywhere, a preview included: running one is running code.
      if (currentUser(c).role === 'client' && containsCode(body.config)) {
        throw new HttpError(403, 'forbidden', 'code and JavaScript expressions are for consultants; the client role cannot run them, not even in a preview');
      }
      let sample = body.sample;
      if (sample === undefined) {
        if (!body.flowId) throw new HttpError(400, 'invalid_request', 'give a sample, or a flowId whose trigger sample to use');
        const draft = (await d.runtime.flows.draft(body.flowId)) as { nodes?: Array<{ type?: string }> };
        const trigger = (draft.nodes ?? []).map((n) => d.runtime.lookup(String(n.type))).find((t) => t?.trigger);
        if (!trigger) throw new HttpError(400, 'invalid_request', `flow "${body.flowId}" has no trigger to take a sample from`);
        sample = trigger.sampleOutput;
      }
      const result = await previewMap(body.config, sample, { sandbox: d.runtime.sandbox, lookups: d.lookups, flowId: body.flowId, trigger: body.trigger });
      return c.json(d.scrub(result), 200);
    },
  );
  return app;
}
