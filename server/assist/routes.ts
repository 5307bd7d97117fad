// /api/assist: mapping suggestions for a target schema (the designer's Suggest button), and per exception its triage
// with the lookup rows proposed from the ERP's lists; accepting rows writes a new table version and retries the runs.
import type { Deps } from '../deps.ts';
import { apiRoute, json, jsonBody, notFound, router, z, HttpError } from '../api/http.ts';
import { suggestMapping, mapFieldsFromSuggestions, TargetSchemaError, SampleError, type AcceptedSuggestion } from '../../nodes/core/assist/index.ts';
import { sourceRootOf, targetSchemaFor } from './targets.ts';
import { ExceptionNotFoundError, ExceptionStateError } from '../../runtime/exceptions/index.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import { triageException } from './triage.ts';
import { AcceptError, acceptRows, proposalsFor, type LookupAssistDeps } from './lookups.ts';

const SuggestRequest = z
  .object({
    target: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The target JSON Schema (object with properties).' }),
    targetNodeType: z.string().optional().openapi({ description: 'Or: the downstream node type whose input to fill (e.g. erp.post-sales-order).' }),
    sample: z.unknown().optional().openapi({ description: 'A Shopify order event; defaults to the flow trigger sample, then Shopify\'s orders/paid example.' }),
    source: z.string().optional().openapi({ description: 'Source catalogue, default shopify.order.' }),
    top: z.number().int().min(1).max(10).optional(),
  })
  .openapi('SuggestMappingRequest');

const MapFieldsBody = z.object({
  accepted: z.array(z.object({ target: z.string().min(1), path: z.string().min(1), transforms: z.array(z.record(z.string(), z.unknown())).optional(), required: z.boolean().optional() })),
  sourceRoot: z.string().optional().openapi({ description: 'Where the order sits in the map input: order (default), shopify.order, or empty.' }),
}).openapi('SuggestedMapFields');

const SuggestResponse = z.object({ source: z.string(), lists: z.record(z.string(), z.string().nullable()), targets: z.array(z.record(z.string(), z.unknown())), notes: z.array(z.string()) }).passthrough().openapi('SuggestMapping');
const AssistException = z.object({ triage: z.record(z.string(), z.unknown()), lookups: z.unknown().nullable() }).openapi('ExceptionAssist');
const AcceptBody = z.object({ rows: z.array(z.record(z.string(), z.string())).min(1) }).openapi('AcceptLookupRows');
const IdParam = z.object({ id: z.string().min(1) });

/** The ERP connection a flow posts to: the first erp.* node's `connection`. */
export function erpForFlow(d: Deps) {
  return async (flowId: string | undefined): Promise<ErpConnector | null> => {
    if (!flowId) return null;
    let doc: { nodes?: Array<{ type?: string; config?: { connection?: unknown } }> };
    try {
      doc = d.runtime.flows.draft(flowId) as typeof doc;
    } catch {
      return null;
    }
    const node = (doc.nodes ?? []).find((n) => String(n.type).startsWith('erp.') && typeof n.config?.connection === 'string');
    return node ? ((await d.connections.resolve('erp', String(node.config!.connection))) as ErpConnector) : null;
  };
}

export function assistRouter(d: Deps) {
  const app = router();
  const lookupDeps: LookupAssistDeps = { lookups: d.lookups, exceptions: d.exceptions, erpFor: erpForFlow(d) };
  const getException = (id: string) => {
    try {
      return d.exceptions.get(id);
    } catch (e) {
      if (e instanceof ExceptionNotFoundError) throw new HttpError(404, 'not_found', e.message);
      throw e;
    }
  };

  app.openapi(
    apiRoute('mapping.preview', {
      method: 'post', path: '/assist/suggest-mapping', tags: ['assist'],
      summary: 'Ranked Shopify source paths for each property of a target JSON Schema (offline, deterministic)',
      request: jsonBody(SuggestRequest), responses: { 200: json(SuggestResponse) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const target = b.target ?? (b.targetNodeType ? targetSchemaFor(b.targetNodeType) : null);
      if (!target) throw new HttpError(400, 'invalid_request', b.targetNodeType ? `no target schema is known for node type ${b.targetNodeType}; send the schema as "target"` : 'give a target JSON Schema or a targetNodeType', [{ where: 'body', path: '$.target', message: 'required' }]);
      try {
        const r = suggestMapping(target, { sample: b.sample, source: b.source, top: b.top });
        return c.json({ ...r, sourceRoot: sourceRootOf(b.sample), notes: [] } as unknown as z.infer<typeof SuggestResponse>, 200);
      } catch (e) {
        if (e instanceof TargetSchemaError || e instanceof SampleError) throw new HttpError(400, 'invalid_request', e.message, [{ where: 'body', path: e instanceof TargetSchemaError ? '$.target' : '$.sample', message: e.message }]);
        if (/unknown source/.test((e as Error).message)) throw new HttpError(400, 'invalid_request', (e as Error).message);
        throw e;
      }
    },
  );

  app.openapi(
    apiRoute('mapping.preview', {
      method: 'post', path: '/assist/map-fields', tags: ['assist'],
      summary: 'Turn accepted suggestions into core.map fields (lists become `each` fields)',
      request: jsonBody(MapFieldsBody), responses: { 200: json(z.object({ fields: z.array(z.unknown()), skipped: z.array(z.object({ target: z.string(), reason: z.string() })) })) },
    }),
    (c) => {
      const b = c.req.valid('json');
      return c.json(mapFieldsFromSuggestions(b.accepted as AcceptedSuggestion[], { sourceRoot: b.sourceRoot ?? 'order' }), 200);
    },
  );

  app.openapi(
    apiRoute('exceptions.read', {
      method: 'get', path: '/assist/exceptions/{id}', tags: ['assist'],
      summary: 'Triage of an exception (cause category, evidence, explanation, next step) and lookup rows proposed from the ERP\'s lists',
      request: { params: IdParam }, responses: { 200: json(AssistException), 404: notFound },
    }),
    async (c) => {
      const e = getException(c.req.valid('param').id);
      const lookups = await proposalsFor(e, lookupDeps).catch((err: Error) => ({ note: `no proposals: ${err.message}` }));
      return c.json(d.scrub({ triage: triageException(e), lookups }) as unknown as z.infer<typeof AssistException>, 200);
    },
  );

  app.openapi(
    apiRoute('lookups.write', {
      method: 'post', path: '/assist/exceptions/{id}/accept', tags: ['assist'],
      summary: 'Accept proposed lookup rows: written as a new table version, then the exception\'s waiting runs are retried',
      request: { params: IdParam, ...jsonBody(AcceptBody) }, responses: { 200: json(z.record(z.string(), z.unknown())), 404: notFound },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      getException(id);
      const actor = c.get('user')?.email ?? 'api';
      try {
        return c.json(acceptRows(id, c.req.valid('json').rows, lookupDeps, actor) as unknown as Record<string, unknown>, 200);
      } catch (e) {
        if (e instanceof AcceptError || e instanceof ExceptionStateError) throw new HttpError(409, 'conflict', e.message);
        if (/column|key|row/i.test((e as Error).message) && !(e instanceof HttpError)) throw new HttpError(400, 'invalid_request', (e as Error).message);
        throw e;
      }
    },
  );
  return app;
}
