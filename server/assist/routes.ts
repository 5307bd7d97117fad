// /api/assist: mapping suggestions for a target schema (the designer's Suggest button), and per exception its triage
// with the lookup rows proposed from the ERP's lists; accepting rows writes a new table version and retries the runs.
import type { Deps } from '../deps.ts';
import { apiRoute, json, jsonBody, notFound, router, z, HttpError } from '../api/http.ts';
import { suggestMapping, mapFieldsFromSuggestions, TargetSchemaError, SampleError, type AcceptedSuggestion } from '../../nodes/core/assist/index.ts';
import { sourceRootOf, targetSchemaFor } from './targets.ts';
import { ExceptionNotFoundError, ExceptionStateError } from '../exceptions/store/index.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import { triageException } from './triage.ts';
import { flowFacts, peopleOf } from './triage-context.ts';
import { AcceptError, acceptRows, missingRowTable, proposalsFor, type LookupAssistDeps } from './lookups.ts';
import { defaultOrderSample } from '../../nodes/core/assist/sample.ts';
import { AiSettingsStore } from './ai/settings.ts';
import { rerankWithModel } from './ai/rerank.ts';
import { explainWithModel, type ExplainedTriage } from './ai/explain.ts';
import type { ExceptionRecord } from '../exceptions/store/service.ts';
import { assistSettingsRoutes } from './settings-routes.ts';
import { VersionInfo as LookupVersion } from '../lookups/schemas.ts';

const SuggestRequest = z
  .object({
    target: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The target JSON Schema (object with properties).' }),
    targetNodeType: z.string().optional().openapi({ description: 'Or: the downstream node type whose input to fill (e.g. erp.post-sales-order).' }),
    sample: z.unknown().optional().openapi({ description: "A Shopify order event; defaults to the flow trigger sample, then Shopify's orders/paid example." }),
    source: z.string().optional().openapi({ description: 'Source catalogue, default shopify.order.' }),
    top: z.number().int().min(1).max(10).optional(),
  })
  .openapi('SuggestMappingRequest');

const MapFieldsBody = z
  .object({
    accepted: z.array(
      z.object({
        target: z.string().min(1),
        path: z.string().min(1),
        transforms: z.array(z.record(z.string(), z.unknown())).optional(),
        required: z.boolean().optional(),
      }),
    ),
    sourceRoot: z.string().optional().openapi({ description: 'Where the order sits in the map input: order (default), shopify.order, or empty.' }),
  })
  .openapi('SuggestedMapFields');

const Transform = z.object({ op: z.string() }).catchall(z.unknown()).openapi('MapTransform', { description: 'A core.map transform (op and its options).' });

const SuggestCandidate = z.object({
  path: z.string().openapi({ description: 'Canonical source path, e.g. `order.lineItems[].sku`.' }),
  confidence: z.number().openapi({ description: '0..1' }),
  score: z.number(),
  reason: z.string(),
  transforms: z.array(Transform).openapi({ description: 'Transforms the value needs to fit the target.' }),
  sampleValue: z.unknown().optional(),
});

export const SuggestResponse = z
  .object({
    source: z.string(),
    sourceRoot: z.string().openapi({ description: 'Where the order sits in the map input (order, shopify.order, or empty).' }),
    lists: z.record(z.string(), z.string().nullable()).openapi({ description: 'Target list -> the source list it was aligned with.' }),
    targets: z.array(z.object({ target: z.string(), kind: z.string(), required: z.boolean(), description: z.string(), candidates: z.array(SuggestCandidate) })),
    engine: z.enum(['offline', 'model']).openapi({ description: 'offline, or model when the configured language model re-ranked the offline candidates' }),
    notes: z.array(z.string()).openapi({ description: 'e.g. why the model was not used and the offline suggestions stand' }),
  })
  .openapi('SuggestMapping');

const TriageAction = z.object({
  kind: z.enum(['add-lookup-row', 'retry', 'fetch-order', 'pause-flow', 'resume-flow', 'raise-stock-push-interval', 'open-mapper', 'open-run']),
  label: z.string(),
  params: z.record(z.string(), z.string()).openapi({ description: 'What the action needs (table, key, flowId, nodeId, runId...).' }),
});

const Triage = z
  .object({
    category: z.enum(['data-mapping', 'missing-reference-data', 'api-limit', 'erp-unavailable', 'manual-process', 'code-error']),
    categoryLabel: z.string(),
    evidence: z.array(z.string()),
    explanation: z.string(),
    nextStep: z.string(),
    action: TriageAction.nullable(),
    source: z.enum(['rule', 'model']).openapi({ description: 'rule (offline), or model when the language model wrote the explanation.' }),
  })
  .openapi('Triage');

const ExplainedTriageView = Triage.extend({
  notes: z.array(z.string()).openapi({ description: 'Why the model was not used, or which model wrote the explanation.' }),
  ruleExplanation: z.string().optional().openapi({ description: "The offline rule's explanation, when the model wrote `explanation`." }),
}).openapi('ExplainedTriage');

const LookupProposals = z
  .object({
    table: z.string(),
    scope: z.string(),
    valueColumn: z.string(),
    from: z.string().openapi({ description: 'Where the candidates came from, e.g. "ERP tax codes (listTaxCodes)".' }),
    missing: z.array(
      z.object({
        key: z.record(z.string(), z.unknown()).openapi({ description: 'The key the run looked up, by key column.' }),
        rows: z.array(
          z.object({
            row: z.record(z.string(), z.string()),
            proposal: z.object({ value: z.string(), label: z.string(), confidence: z.number(), reason: z.string() }),
          }),
        ),
      }),
    ),
    note: z.string().optional().openapi({ description: 'Why nothing could be proposed, when so.' }),
  })
  .openapi('LookupProposals');

/** Proposals, or why there are none (`note`), or null when the exception is not about a missing row. */
const ProposalsOrNote = z.union([LookupProposals, z.object({ note: z.string() })]).nullable();

export const TriageBatch = z.object({ triage: z.record(z.string(), Triage) }).openapi('TriageBatch');
export const TableProposals = z
  .object({
    table: z.string(),
    scope: z.string(),
    proposals: z.array(z.object({ exceptionId: z.string(), title: z.string(), lookups: ProposalsOrNote })),
  })
  .openapi('LookupTableProposals');
export const AssistException = z.object({ triage: ExplainedTriageView, lookups: ProposalsOrNote }).openapi('ExceptionAssist');
export const AcceptResult = z
  .object({
    table: z.string(),
    scope: z.string(),
    version: LookupVersion.omit({ retried: true }),
    retried: z
      .object({
        replayed: z.array(z.object({ runId: z.string(), newRunId: z.string() })),
        skipped: z.array(z.object({ runId: z.string(), reason: z.string() })),
      })
      .nullable(),
    retryNote: z.string().nullable().openapi({ description: 'Why the waiting runs were not retried (the rows are written all the same).' }),
  })
  .openapi('AcceptLookupRowsResult');
const AcceptBody = z.object({ rows: z.array(z.record(z.string(), z.string())).min(1) }).openapi('AcceptLookupRows');
const IdParam = z.object({ id: z.string().min(1) });

/** The ERP connection a flow posts to: the first erp.* node's `connection`. */
export function erpForFlow(d: Deps) {
  return async (flowId: string | undefined): Promise<ErpConnector | null> => {
    if (!flowId) return null;
    let doc: { nodes?: Array<{ type?: string; config?: { connection?: unknown } }> };
    try {
      doc = (await d.runtime.flows.draft(flowId)) as typeof doc;
    } catch {
      return null;
    }
    const node = (doc.nodes ?? []).find((n) => String(n.type).startsWith('erp.') && typeof n.config?.connection === 'string');
    return node ? ((await d.connections.resolve('erp', String(node.config!.connection))) as ErpConnector) : null;
  };
}

export function assistRouter(d: Deps, opts: { env?: NodeJS.ProcessEnv } = {}) {
  const app = router();
  const ai = new AiSettingsStore(d.secrets, opts.env ?? process.env);
  app.route('/', assistSettingsRoutes(d, ai));
  const lookupDeps: LookupAssistDeps = { lookups: d.lookups, exceptions: d.exceptions, erpFor: erpForFlow(d) };
  // Model-written explanations, so reopening an exception does not ask the model again (successful answers only).
  const explained = new Map<string, ExplainedTriage>();
  const explain = async (e: ExceptionRecord): Promise<ExplainedTriage> => {
    const t = triageException(e, await flowFacts(d));
    const settings = await ai.get();
    if (!settings.enabled) return { ...t, notes: [] };
    if (settings.problem) return { ...t, notes: [`The language model is on but ${settings.problem}; this is the offline explanation.`] };
    const key = JSON.stringify([e.id, e.count, e.title, t.explanation, t.nextStep, settings.provider, settings.url, settings.model]);
    const hit = explained.get(key);
    if (hit) return { ...hit, category: t.category, categoryLabel: t.categoryLabel, evidence: t.evidence, nextStep: t.nextStep, action: t.action };
    const out = await explainWithModel(settings, e, t, { key: await ai.key(), people: await peopleOf(d.runtime.store, e) });
    if (out.source === 'model') {
      if (explained.size >= 500) explained.delete(explained.keys().next().value!);
      explained.set(key, out);
    } else d.log.warn({ exceptionId: e.id, notes: d.scrub(out.notes) }, 'assistant model not used; offline triage explanation served');
    return out;
  };
  const getException = async (id: string) => {
    try {
      return await d.exceptions.get(id);
    } catch (e) {
      if (e instanceof ExceptionNotFoundError) throw new HttpError(404, 'not_found', e.message);
      throw e;
    }
  };

  app.openapi(
    apiRoute('mapping.preview', {
      method: 'post',
      path: '/assist/suggest-mapping',
      tags: ['assist'],
      summary: 'Ranked Shopify source paths for each property of a target JSON Schema (offline, deterministic)',
      request: jsonBody(SuggestRequest),
      responses: { 200: json(SuggestResponse) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const target = b.target ?? (b.targetNodeType ? targetSchemaFor(b.targetNodeType) : null);
      if (!target)
        throw new HttpError(
          400,
          'invalid_request',
          b.targetNodeType
            ? `no target schema is known for node type ${b.targetNodeType}; send the schema as "target"`
            : 'give a target JSON Schema or a targetNodeType',
          [{ where: 'body', path: '$.target', message: 'required' }],
        );
      const top = b.top ?? 3;
      const settings = await ai.get();
      const useModel = settings.enabled && !settings.problem;
      try {
        // The model re-ranks a wider pool than is shown, so it can lift a fourth or fifth candidate.
        const r = suggestMapping(target, { sample: b.sample, source: b.source, top: useModel ? Math.max(top, 5) : top });
        const out = useModel
          ? await rerankWithModel(settings, r, b.sample ?? defaultOrderSample(), { top, key: await ai.key() })
          : {
              ...r,
              engine: 'offline' as const,
              notes: settings.enabled && settings.problem ? [`The language model is on but ${settings.problem}; these are the offline suggestions.`] : [],
            };
        if (useModel && out.engine === 'offline') d.log.warn({ notes: d.scrub(out.notes) }, 'assistant model not used; offline suggestions served');
        return c.json(d.scrub({ ...out, sourceRoot: sourceRootOf(b.sample) }), 200);
      } catch (e) {
        if (e instanceof TargetSchemaError || e instanceof SampleError)
          throw new HttpError(400, 'invalid_request', e.message, [
            { where: 'body', path: e instanceof TargetSchemaError ? '$.target' : '$.sample', message: e.message },
          ]);
        if (/unknown source/.test((e as Error).message)) throw new HttpError(400, 'invalid_request', (e as Error).message);
        throw e;
      }
    },
  );

  app.openapi(
    apiRoute('mapping.preview', {
      method: 'post',
      path: '/assist/map-fields',
      tags: ['assist'],
      summary: 'Turn accepted suggestions into core.map fields (lists become `each` fields)',
      request: jsonBody(MapFieldsBody),
      responses: { 200: json(z.object({ fields: z.array(z.unknown()), skipped: z.array(z.object({ target: z.string(), reason: z.string() })) })) },
    }),
    (c) => {
      const b = c.req.valid('json');
      return c.json(mapFieldsFromSuggestions(b.accepted as AcceptedSuggestion[], { sourceRoot: b.sourceRoot ?? 'order' }), 200);
    },
  );

  app.openapi(
    apiRoute('exceptions.read', {
      method: 'get',
      path: '/assist/exceptions/{id}',
      tags: ['assist'],
      summary:
        "Triage of an exception (cause category, evidence, explanation, next step) and lookup rows proposed from the ERP's lists. With the language model on, the model writes the explanation (source: model; the rules' own text in ruleExplanation), or notes why not",
      request: { params: IdParam },
      responses: { 200: json(AssistException), 404: notFound },
    }),
    async (c) => {
      const e = await getException(c.req.valid('param').id);
      // The ERP's lists and the model answer at the same time.
      const [lookups, triage] = await Promise.all([proposalsFor(e, lookupDeps).catch((err: Error) => ({ note: `no proposals: ${err.message}` })), explain(e)]);
      return c.json(d.scrub({ triage, lookups }), 200);
    },
  );

  app.openapi(
    apiRoute('exceptions.read', {
      method: 'get',
      path: '/assist/triage',
      tags: ['assist'],
      summary: 'Offline triage of several exceptions at once (the inbox), by id; unknown ids are left out',
      request: { query: z.object({ ids: z.string().max(20_000).openapi({ description: 'Comma-separated exception ids (at most 500).' }) }) },
      responses: { 200: json(TriageBatch) },
    }),
    async (c) => {
      const ids = [
        ...new Set(
          c.req
            .valid('query')
            .ids.split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        ),
      ];
      if (ids.length > 500)
        throw new HttpError(400, 'invalid_request', `at most 500 ids (got ${ids.length})`, [{ where: 'query', path: '$.ids', message: 'too many' }]);
      const triage: Record<string, ReturnType<typeof triageException>> = {};
      const facts = await flowFacts(d);
      for (const id of ids) {
        try {
          triage[id] = triageException(await d.exceptions.get(id), facts);
        } catch (e) {
          if (!(e instanceof ExceptionNotFoundError)) throw e;
        }
      }
      return c.json(d.scrub({ triage }), 200);
    },
  );

  app.openapi(
    apiRoute('lookups.read', {
      method: 'get',
      path: '/assist/lookups/{name}/proposals',
      tags: ['assist'],
      summary: "Rows proposed from the ERP's lists for the keys open exceptions found missing in this table (the lookup editor)",
      request: { params: z.object({ name: z.string().min(1) }), query: z.object({ scope: z.string().optional() }) },
      responses: { 200: json(TableProposals) },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const scope = c.req.valid('query').scope ?? 'shared';
      const open = (await d.exceptions.list({ state: 'unresolved', limit: 500 })).items.filter((e) => missingRowTable(e) === name);
      const proposals = [];
      for (const e of open) {
        const lookups = await proposalsFor(e, lookupDeps).catch((err: Error) => ({ note: `no proposals: ${err.message}` }));
        if (lookups && 'scope' in lookups && lookups.scope !== scope) continue;
        proposals.push({ exceptionId: e.id, title: e.title, lookups });
      }
      return c.json(d.scrub({ table: name, scope, proposals }), 200);
    },
  );

  app.openapi(
    apiRoute('assist.accept', {
      method: 'post',
      path: '/assist/exceptions/{id}/accept',
      tags: ['assist'],
      summary: "Accept proposed lookup rows: written as a new table version, then the exception's waiting runs are retried",
      request: { params: IdParam, ...jsonBody(AcceptBody) },
      responses: { 200: json(AcceptResult), 404: notFound },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await getException(id);
      const actor = c.get('user')?.email ?? 'api';
      try {
        return c.json(await acceptRows(id, c.req.valid('json').rows, lookupDeps, actor), 200);
      } catch (e) {
        if (e instanceof AcceptError || e instanceof ExceptionStateError) throw new HttpError(409, 'conflict', e.message);
        if (/column|key|row/i.test((e as Error).message) && !(e instanceof HttpError)) throw new HttpError(400, 'invalid_request', (e as Error).message);
        throw e;
      }
    },
  );
  return app;
}
