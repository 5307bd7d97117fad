// /api/flows: drafts, validation, publishing, versions, diff, roll back, activation, import/export, test runs.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { HttpError, actorOf, apiRoute, conflict, currentUser, json, jsonBody, notFound, router, unprocessable, z } from '../api/http.ts';
import { FlowDiff, FlowJson, FlowSummary, RunRecord, RunSummary, VersionFull, VersionInfo, ProblemSchemaRef } from '../api/schemas.ts';
import { NotFoundError, FlowInvalidError } from '../../runtime/flow-store.ts';
import { diffFlows } from '../flows/diff.ts';
import { clientEditProblems } from '../flows/client-edits.ts';
import { formatProblem, structureProblems } from '../../flows/validate.ts';
import { TestInputError, clearTestRuns, isTestFlow, listTestRuns, testRunDraft } from '../flows/test-run.ts';
import { recentStoreOrders, storeOrderDelivery } from '../flows/store-orders.ts';
import { mappingPreviewProblems } from '../flows/mapping-check.ts';
import { nodeSamples } from '../flows/node-samples.ts';
import { dryRunChange } from '../flows/dry-run.ts';
import { DryRunReportSchema } from '../flows/dry-run-schema.ts';
import { postOverlaps } from '../flows/overlaps.ts';
import type { Flow } from '../../flows/schema.ts';
import type { ShopifyClient } from '../../nodes/shopify/client.ts';
import { PendingPublish } from './change-requests.ts';
import { FlowControls } from '../flows/controls.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const VersionParam = IdParam.extend({
  v: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'v', in: 'path' } }),
});
const Validation = z.object({ valid: z.boolean(), problems: z.array(ProblemSchemaRef) }).openapi('ValidationResult');
const tags = ['flows'];
const Warnings = z.array(z.object({ flowId: z.string(), flowName: z.string(), message: z.string() })).openapi({
  description:
    'Other active flows that post the same Shopify event (connection + topic) to the same ERP with the same posting node: each event would be posted twice.',
});

const versionInfo = (v: { version: number; hash: string; message: string; createdAt: number; createdBy: string | null }) => ({
  version: v.version,
  hash: v.hash,
  message: v.message,
  createdAt: v.createdAt,
  createdBy: v.createdBy,
});

export function flowsRouter(d: Deps) {
  const app = router();
  const flows = d.runtime.flows;
  const controls = new FlowControls(d);

  const requireFlow = async (id: string) => {
    if (isTestFlow(id)) throw new NotFoundError(`flow "${id}"`);
    return flows.get(id);
  };

  /** A client may only publish drafts that differ from the last version in mapping and lookup data. */
  const checkClient = (c: Parameters<typeof actorOf>[0], id: string, next: Record<string, unknown>, against: Record<string, unknown> | null) => {
    if (currentUser(c).role !== 'client') return;
    if (!against) throw new HttpError(403, 'forbidden', 'the client role can only edit flows that a consultant has published');
    // The diff below compares elements by string id: an element it cannot name (numeric or missing id, a
    // duplicate) would slip past it. So a client's draft must first be a well-formed flow document.
    const malformed = structureProblems(next);
    if (malformed.length)
      throw new HttpError(422, 'invalid_flow', `the client role can only save a well-formed flow: ${formatProblem(malformed[0]!)}`, malformed);
    const problems = clientEditProblems(against, next, d.runtime.lookup);
    if (problems.length) throw new HttpError(403, 'forbidden', `the client role cannot make this change to flow "${id}": ${problems[0]!.message}`, problems);
  };
  /**
   * A client's change to a flow that needs approval: kept as a change request with what the consultant reviews, the
   * dry run on the last real events (computed here, not taken from the client) and the diff from the latest version.
   */
  const requestApproval = async (c: Parameters<typeof actorOf>[0], id: string, flow: Flow, message: string) => {
    const base = await flows.latestVersion(id);
    const diff = diffFlows(base == null ? {} : (await flows.version(id, base)).definition, await flows.draft(id));
    let dryRun = null;
    let dryRunError: string | null = null;
    try {
      const real = { lookups: d.lookups, exceptions: d.exceptions, monitoring: d.exceptions.monitoring };
      dryRun = d.scrub(await dryRunChange(d.runtime, real, id, flow, 20));
    } catch (e) {
      // The request is still worth making; the consultant sees that the dry run could not run, and why.
      dryRunError = d.scrub((e as Error).message);
    }
    const { request, superseded } = await d.changeRequests.create(id, { message, by: actorOf(c), dryRun, dryRunError, diff });
    await d.audit.record(actorOf(c), 'flow.change-request.create', `flow:${id}`, {
      changeRequest: request.id,
      message,
      baseVersion: request.baseVersion,
      ...(superseded.length ? { superseded } : {}),
    });
    const { definition: _d, dryRun: _r, dryRunError: _e, diff: _f, ...summary } = request;
    return summary;
  };
  const lastPublished = async (id: string) => {
    const v = await flows.latestVersion(id);
    return v == null ? null : ((await flows.version(id, v)).definition as unknown as Record<string, unknown>);
  };

  // The flow list shows what each flow does: its draft's description (a flow's draft is its current document).
  const described = async <T extends { id: string }>(f: T): Promise<T & { description?: string }> => {
    const description = ((await flows.draft(f.id)) as { description?: unknown }).description;
    return typeof description === 'string' && description ? { ...f, description } : f;
  };

  /** For an active flow: the other active flows posting the same events to the same ERP (see flows/overlaps.ts). */
  const overlapsOf = async (id: string) => {
    const f = await flows.get(id);
    if (!f.active || f.activeVersion == null) return [];
    return postOverlaps(d.runtime, id, f.name, (await flows.version(id, f.activeVersion)).definition);
  };

  app.openapi(
    apiRoute('flows.read', { method: 'get', path: '/flows', tags, responses: { 200: json(z.object({ flows: z.array(FlowSummary) })) } }),
    async (c) => {
      const list = (await flows.list()).filter((f) => !isTestFlow(f.id));
      // Who paused the inactive ones, read from the audit log once for all of them.
      const paused = await controls.pausedOf(list.filter((f) => !f.active).map((f) => f.id));
      return c.json(
        { flows: await Promise.all(list.map(async (f) => ({ ...(await described(f)), ...(f.active ? {} : { paused: paused.get(f.id) ?? null }) }))) },
        200,
      );
    },
  );

  app.openapi(
    apiRoute('flows.write', {
      method: 'post',
      path: '/flows',
      tags,
      request: jsonBody(FlowJson),
      responses: { 201: json(FlowSummary, 'Created'), 409: conflict, 422: unprocessable },
    }),
    async (c) => {
      const doc = c.req.valid('json');
      const id = doc.id;
      if (typeof id !== 'string' || !id) throw new HttpError(422, 'invalid_flow', 'a flow needs an id', [{ where: 'flow', path: '$.id', message: 'required' }]);
      if (isTestFlow(id))
        throw new HttpError(422, 'invalid_flow', `flow ids may not start with "__test."`, [{ where: 'flow', path: '$.id', message: 'reserved prefix' }]);
      try {
        await flows.get(id);
        throw new HttpError(409, 'conflict', `flow "${id}" already exists (use PUT /api/flows/${id}/draft or POST /api/flows/import)`);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
      const s = await flows.create({ ...doc, id });
      await d.audit.record(actorOf(c), 'flow.create', `flow:${id}`, { after: doc });
      return c.json(s, 201);
    },
  );

  app.openapi(
    apiRoute('flows.write', {
      method: 'post',
      path: '/flows/import',
      tags,
      request: jsonBody(FlowJson),
      responses: { 201: json(FlowSummary, 'Created or draft updated'), 422: unprocessable },
    }),
    async (c) => {
      const doc = c.req.valid('json');
      const id = doc.id;
      if (typeof id !== 'string' || !id || isTestFlow(id))
        throw new HttpError(422, 'invalid_flow', 'an imported flow needs an id', [{ where: 'flow', path: '$.id', message: 'required' }]);
      let s;
      try {
        const before = await flows.draft(id);
        s = await flows.updateDraft(id, doc);
        await d.audit.record(actorOf(c), 'flow.import', `flow:${id}`, { before, after: doc });
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        s = await flows.create({ ...doc, id });
        await d.audit.record(actorOf(c), 'flow.import', `flow:${id}`, { after: doc });
      }
      return c.json(s, 201);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}',
      tags,
      request: { params: IdParam },
      responses: { 200: json(z.object({ flow: FlowSummary, draft: FlowJson, warnings: Warnings })), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json({ flow: await described(await requireFlow(id)), draft: await flows.draft(id), warnings: await overlapsOf(id) }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.edit', {
      method: 'put',
      path: '/flows/{id}/draft',
      tags,
      description:
        'Autosave: any JSON object is accepted (validation happens on validate/publish). The client role may only change mapping and lookup configuration.',
      request: { params: IdParam, ...jsonBody(FlowJson) },
      responses: { 200: json(FlowSummary), 404: notFound, 422: unprocessable },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const doc = c.req.valid('json');
      await requireFlow(id);
      const before = await flows.draft(id);
      checkClient(c, id, { ...doc, id }, (await lastPublished(id)) ? before : null);
      const s = await flows.updateDraft(id, doc);
      await d.audit.record(actorOf(c), currentUser(c).role === 'client' ? 'flow.mapping.edit' : 'flow.draft.update', `flow:${id}`, { before, after: doc });
      return c.json(s, 200);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'post',
      path: '/flows/{id}/validate',
      tags,
      request: { params: IdParam },
      responses: { 200: json(Validation), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const r = await flows.validateDraft(id, { connections: await d.connections.list(), connectionsComplete: true });
      const problems = r.ok ? await mappingPreviewProblems(d.runtime, d.lookups, id, r.flow) : r.problems;
      return c.json({ valid: problems.length === 0, problems }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.publish', {
      method: 'post',
      path: '/flows/{id}/publish',
      tags,
      description:
        "Publishes the draft as the next version. On a flow whose approval policy asks for it (PUT /api/flows/{id}/approval-policy), a client's publish goes live only once a consultant approves it: " +
        'the answer is then 202 with the pending change request (the draft, its dry run on the last real events and its diff are kept with it).',
      request: { params: IdParam, ...jsonBody(z.object({ message: z.string().max(2000).default('') })) },
      responses: {
        201: json(VersionInfo.extend({ warnings: Warnings }), 'Published'),
        202: json(PendingPublish, 'Waiting for approval'),
        404: notFound,
        422: unprocessable,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      checkClient(c, id, await flows.draft(id), await lastPublished(id));
      // With the connections: a connection of the wrong kind (an ERP on the Shopify trigger) is refused here, as
      // publish's own validation knows no connections.
      const checked = await flows.validateDraft(id, { connections: await d.connections.list(), connectionsComplete: true });
      if (!checked.ok) throw new FlowInvalidError(id, checked.problems);
      // A mapping that fails on its node's real input would fail the next order: refuse it now.
      const problems = await mappingPreviewProblems(d.runtime, d.lookups, id, checked.flow);
      if (problems.length) throw new HttpError(422, 'invalid_flow', `flow "${id}" is not valid: ${problems[0]!.message}`, problems);
      if (currentUser(c).role === 'client' && (await d.changeRequests.policy(id)).clientChangesNeedApproval) {
        return c.json({ pending: true as const, changeRequest: await requestApproval(c, id, checked.flow, c.req.valid('json').message) }, 202);
      }
      const v = await flows.publish(id, { message: c.req.valid('json').message, by: actorOf(c) });
      await d.audit.record(actorOf(c), 'flow.publish', `flow:${id}@${v.version}`, { message: v.message, hash: v.hash });
      await d.onTriggersChanged();
      return c.json({ ...versionInfo(v), warnings: await overlapsOf(id) }, 201);
    },
  );

  app.openapi(
    apiRoute('flows.test', {
      method: 'post',
      path: '/flows/{id}/dry-run',
      tags,
      description:
        "Before publishing: the live version and the draft both dry-run on the flow's last N real events (default 20, newest first; test runs are not events of the flow). " +
        'Per event: what each would send to the ERP and the field-level difference, or why it would fail. Nothing is written to any system: no ERP or Shopify write, no run, no claim, no exception.',
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: z.object({ limit: z.number().int().min(1).max(100).optional() }) } }, required: false },
      },
      responses: { 200: json(DryRunReportSchema), 404: notFound, 422: unprocessable },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      // The body is optional (and checked by its schema when given).
      const body = (await c.req.json().catch(() => ({}))) as { limit?: number };
      const checked = await flows.validateDraft(id);
      if (!checked.ok) throw new FlowInvalidError(id, checked.problems);
      const real = { lookups: d.lookups, exceptions: d.exceptions, monitoring: d.exceptions.monitoring };
      const report = await dryRunChange(d.runtime, real, id, checked.flow, body.limit ?? 20);
      return c.json(d.scrub(report), 200);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}/versions',
      tags,
      request: { params: IdParam },
      responses: {
        200: json(
          z.object({
            versions: z.array(
              VersionInfo.extend({
                approvedBy: z.string().optional().openapi({ description: "A client's change approved by this consultant or owner (createdBy is the client)" }),
              }),
            ),
          }),
        ),
        404: notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const approvedBy = await d.changeRequests.approvals(id);
      return c.json(
        {
          versions: (await flows.versions(id)).map((v) => ({
            ...versionInfo(v),
            ...(approvedBy.has(v.version) ? { approvedBy: approvedBy.get(v.version)! } : {}),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}/versions/{v}',
      tags,
      request: { params: VersionParam },
      responses: { 200: json(VersionFull), 404: notFound },
    }),
    async (c) => {
      const { id, v } = c.req.valid('param');
      await requireFlow(id);
      const ver = await flows.version(id, v);
      return c.json({ ...versionInfo(ver), definition: ver.definition as unknown as Record<string, unknown> }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}/diff',
      tags,
      description: '`to` may be omitted to compare with the current draft.',
      request: { params: IdParam, query: z.object({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive().optional() }) },
      responses: { 200: json(FlowDiff), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { from, to } = c.req.valid('query');
      await requireFlow(id);
      const a = (await flows.version(id, from)).definition;
      const b = to === undefined ? await flows.draft(id) : (await flows.version(id, to)).definition;
      return c.json(diffFlows(a, b), 200);
    },
  );

  app.openapi(
    apiRoute('flows.write', {
      method: 'post',
      path: '/flows/{id}/rollback',
      tags,
      request: { params: IdParam, ...jsonBody(z.object({ version: z.number().int().positive() })) },
      responses: { 201: json(VersionInfo, 'A new version with the old content'), 404: notFound, 422: unprocessable },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const { version } = c.req.valid('json');
      const v = await flows.rollback(id, version, { by: actorOf(c) });
      await d.audit.record(actorOf(c), 'flow.rollback', `flow:${id}@${v.version}`, { from: version });
      await d.onTriggersChanged();
      return c.json(versionInfo(v), 201);
    },
  );

  app.openapi(
    apiRoute('flows.activate', {
      method: 'post',
      path: '/flows/{id}/activate',
      tags,
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: z.object({ version: z.number().int().positive().optional() }) } }, required: false },
      },
      responses: { 200: json(FlowSummary.extend({ warnings: Warnings })), 404: notFound, 422: unprocessable },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const before = await requireFlow(id);
      const body = (await c.req.json().catch(() => ({}))) as { version?: unknown };
      const version = body.version === undefined ? undefined : z.number().int().positive().parse(body.version);
      const s = await flows.setActive(id, true, version);
      const warnings = await overlapsOf(id);
      await d.audit.record(actorOf(c), 'flow.activate', `flow:${id}`, {
        before: { active: before.active, activeVersion: before.activeVersion },
        after: { active: s.active, activeVersion: s.activeVersion },
        ...(warnings.length ? { warnings: warnings.map((w) => w.message) } : {}),
      });
      await d.onTriggersChanged();
      return c.json({ ...s, warnings }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.activate', {
      method: 'post',
      path: '/flows/{id}/deactivate',
      tags,
      request: { params: IdParam },
      responses: { 200: json(FlowSummary), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const before = await requireFlow(id);
      const s = await flows.setActive(id, false);
      await d.audit.record(actorOf(c), 'flow.deactivate', `flow:${id}`, { before: { active: before.active }, after: { active: false } });
      await d.onTriggersChanged();
      return c.json(s, 200);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}/export',
      tags,
      description: 'The draft as a JSON attachment, or a published version with `?version=`.',
      request: { params: IdParam, query: z.object({ version: z.coerce.number().int().positive().optional() }) },
      responses: { 200: json(FlowJson), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { version } = c.req.valid('query');
      await requireFlow(id);
      const doc = version ? (await flows.version(id, version)).definition : await flows.draft(id);
      c.header('Content-Disposition', `attachment; filename="${id}${version ? `.v${version}` : ''}.json"`);
      return c.json(doc as unknown as Record<string, unknown>, 200);
    },
  );

  const TestInputSchema = z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('sample') }),
      z.object({ kind: z.literal('payload'), body: z.unknown() }),
      z.object({ kind: z.literal('run'), runId: z.string().min(1) }),
      z.object({ kind: z.literal('store'), orderId: z.string().min(1) }),
    ])
    .openapi('TestInput', {
      description:
        "sample: the trigger's example output; payload: a pasted webhook body or JSON; run: a past run's event; store: an order of the trigger's Shopify store",
    });
  const TestBody = z.object({
    input: TestInputSchema.optional(),
    event: z.unknown().optional().openapi({ description: 'Shorthand for input { kind: "payload", body: event }' }),
    nodeId: z.string().optional().openapi({ description: 'Stop after this node' }),
    pinFrom: z
      .string()
      .optional()
      .openapi({ description: 'With nodeId: reuse the outputs of the nodes upstream of it from this run (pinned), so only nodeId executes' }),
  });
  const readStoreOrder = async (connectionId: string, orderId: string, topic: string) =>
    storeOrderDelivery((await d.connections.resolve('shopify', connectionId)) as ShopifyClient, orderId, topic);

  app.openapi(
    apiRoute('flows.test', {
      method: 'post',
      path: '/flows/{id}/test',
      tags,
      description:
        "Runs the DRAFT once as a test run (kept apart from production runs, exceptions, dashboard and metrics). Default input: the trigger's sample output, pinned as the trigger's step.",
      request: { params: IdParam, body: { content: { 'application/json': { schema: TestBody } }, required: false } },
      responses: {
        200: json(RunRecord.extend({ input: z.object({ kind: z.string(), label: z.string() }), pinned: z.array(z.string()) })),
        404: notFound,
        422: unprocessable,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const raw = await c.req.json().catch(() => ({}));
      const parsed = TestBody.safeParse(raw ?? {});
      if (!parsed.success) throw new HttpError(400, 'invalid_request', parsed.error.issues.map((i) => `$.${i.path.join('.')} ${i.message}`).join('; '));
      const body = parsed.data;
      if (body.pinFrom && !body.nodeId)
        throw new HttpError(400, 'invalid_request', 'pinFrom needs the nodeId to execute', [{ where: 'body', path: '$.pinFrom', message: 'give nodeId too' }]);
      try {
        const run = await testRunDraft(d.runtime, id, { input: body.input, event: body.event, nodeId: body.nodeId, pinFrom: body.pinFrom, readStoreOrder });
        return c.json(d.scrub(run) as never, 200);
      } catch (e) {
        if (e instanceof TestInputError) throw new HttpError(422, 'invalid_request', e.message, [{ where: 'body', path: '$.input', message: e.message }]);
        throw e;
      }
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}/nodes/{nodeId}/samples',
      tags,
      description:
        "What a node really receives: its input in the latest test runs and runs (with the run's trigger output, status and time; a test run says whether its upstream outputs were pinned), the latest succeeded run that reached the node, and the trigger's example for a node right after the trigger.",
      request: {
        params: IdParam.extend({
          nodeId: z
            .string()
            .min(1)
            .openapi({ param: { name: 'nodeId', in: 'path' } }),
        }),
      },
      responses: {
        200: json(
          z.object({
            samples: z.array(
              z.object({
                id: z.string().openapi({ description: '`sample` or a run id.' }),
                kind: z.enum(['sample', 'test', 'run']),
                label: z.string(),
                value: z.unknown(),
                trigger: z.unknown(),
                status: z.string().optional(),
                at: z.number().optional(),
                pinned: z.boolean().optional(),
              }),
            ),
          }),
        ),
        404: notFound,
      },
    }),
    async (c) => {
      const { id, nodeId } = c.req.valid('param');
      await requireFlow(id);
      const draft = (await flows.draft(id)) as unknown as Flow;
      if (!Array.isArray(draft.nodes) || !draft.nodes.some((n) => n.id === nodeId)) throw new NotFoundError(`node "${nodeId}" in the draft of flow "${id}"`);
      return c.json({ samples: d.scrub(await nodeSamples(d.runtime, id, draft, nodeId)) }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}/test-runs',
      tags,
      description: 'The test runs of a flow (never listed with production runs), newest first.',
      request: { params: IdParam },
      responses: { 200: json(z.object({ runs: z.array(RunSummary) })), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      return c.json({ runs: d.scrub(await listTestRuns(d.runtime, id)) as z.infer<typeof RunSummary>[] }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.test', {
      method: 'delete',
      path: '/flows/{id}/test-runs',
      tags,
      description: 'Deletes the finished test runs of a flow and their events.',
      request: { params: IdParam },
      responses: { 200: json(z.object({ deleted: z.number().int() })), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const deleted = await clearTestRuns(d.runtime, id);
      await d.audit.record(actorOf(c), 'flow.test-runs.clear', `flow:${id}`, { deleted });
      return c.json({ deleted }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.test', {
      method: 'get',
      path: '/flows/{id}/store-orders',
      tags,
      description: "Recent orders of the Shopify store the flow's trigger is connected to, to test the draft with one of them.",
      request: { params: IdParam },
      responses: {
        200: json(
          z.object({
            connection: z.string(),
            orders: z.array(z.object({ id: z.string(), name: z.string(), createdAt: z.string(), financialStatus: z.string().nullable() })),
          }),
        ),
        404: notFound,
        422: unprocessable,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const draft = (await flows.draft(id)) as { nodes?: Array<{ type?: string; config?: { connection?: string } }> };
      const trigger = (draft.nodes ?? []).find((n) => n.type === 'shopify.trigger');
      const connection = trigger?.config?.connection;
      if (!connection) throw new HttpError(422, 'invalid_request', 'the flow has no Shopify trigger with a connection');
      const client = (await d.connections.resolve('shopify', connection)) as ShopifyClient;
      return c.json({ connection, orders: await recentStoreOrders(client) }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.write', {
      method: 'post',
      path: '/flows/{id}/webhook-secret',
      tags,
      description:
        'Creates (or replaces) the secret a `trigger.webhook` flow requires: send it as `Authorization: Bearer <secret>` or sign the raw body with it (`X-Ledgerline-Hmac-Sha256`, base64 HMAC-SHA256). Shown once.',
      request: { params: IdParam },
      responses: { 201: json(z.object({ url: z.string(), secret: z.string() }), 'Created') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const secret = 'whs_' + randomBytes(24).toString('base64url');
      await d.secrets.set(`flow-webhook:${id}`, secret);
      await d.audit.record(actorOf(c), 'flow.webhook-secret', `flow:${id}`, { secret });
      return c.json({ url: `/webhooks/flows/${encodeURIComponent(id)}`, secret }, 201);
    },
  );

  return app;
}

export { FlowInvalidError };
