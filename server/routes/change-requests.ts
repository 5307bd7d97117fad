// Client changes awaiting a consultant's approval: the per-flow policy, the requests (list, one with its dry run and
// diff), approve (published as the client's version) and reject (with the reason the client sees on the flow).
import type { Deps } from '../deps.ts';
import { HttpError, actorOf, apiRoute, conflict, currentUser, json, jsonBody, notFound, router, unprocessable, z } from '../api/http.ts';
import { can } from '../auth/roles.ts';
import { FlowDiff, FlowJson, VersionInfo } from '../api/schemas.ts';
import { FlowInvalidError, NotFoundError } from '../../runtime/flow-store.ts';
import { parseSandboxCode } from '../../runtime/index.ts';
import { validateFlow } from '../../flows/validate.ts';
import { isTestFlow } from '../flows/test-run.ts';
import { mappingPreviewProblems } from '../flows/mapping-check.ts';
import { postOverlaps } from '../flows/overlaps.ts';
import { ChangeRequestConflict, type ChangeRequestFull } from '../flows/change-requests.ts';

const tags = ['change requests'];
const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const STATUSES = ['pending', 'approved', 'rejected', 'superseded', 'withdrawn'] as const;

export const ApprovalPolicy = z
  .object({
    flowId: z.string(),
    clientChangesNeedApproval: z
      .boolean()
      .openapi({ description: "On: a client's publish becomes a change request that a consultant or owner approves before it goes live." }),
    updatedBy: z.string().nullable(),
    updatedAt: z.number().int().nullable(),
  })
  .openapi('ApprovalPolicy');

export const ChangeRequestSummary = z
  .object({
    id: z.string(),
    flowId: z.string(),
    flowName: z.string(),
    status: z.enum(STATUSES),
    message: z.string().openapi({ description: "The client's note" }),
    baseVersion: z.number().int().nullable().openapi({ description: 'The latest version when the request was made: the dry run and diff compare with it' }),
    requestedBy: z.string(),
    requestedAt: z.number().int(),
    decidedBy: z.string().nullable(),
    decidedAt: z.number().int().nullable(),
    reason: z.string().nullable().openapi({ description: 'Why it was rejected (or which request superseded it)' }),
    publishedVersion: z.number().int().nullable().openapi({ description: 'The version an approved request was published as (authored by the client)' }),
    stale: z
      .string()
      .nullable()
      .openapi({ description: 'Why a pending request can no longer be approved (the draft changed, or another version was published since), or null' }),
    dryRunSummary: z.record(z.string(), z.number()).nullable(),
  })
  .openapi('ChangeRequestSummary');

export const ChangeRequest = ChangeRequestSummary.extend({
  definition: FlowJson,
  dryRun: z.record(z.string(), z.unknown()).nullable().openapi({
    description: 'The dry run of the draft on the last real events when it was asked for (POST /api/flows/{id}/dry-run), or null when it could not run',
  }),
  dryRunError: z.string().nullable(),
  diff: FlowDiff,
}).openapi('ChangeRequest');

export const PendingPublish = z
  .object({ pending: z.literal(true), changeRequest: ChangeRequestSummary })
  .openapi('PendingPublish', { description: "The flow needs a consultant's approval for client changes: nothing went live, the change waits as a request." });

const summaryOf = (r: ChangeRequestFull) => {
  const { definition: _d, dryRun: _r, dryRunError: _e, diff: _f, ...s } = r;
  return s;
};

export function changeRequestsRouter(d: Deps) {
  const app = router();
  const flows = d.runtime.flows;
  const requests = d.changeRequests;
  const requireFlow = async (id: string) => {
    if (isTestFlow(id)) throw new NotFoundError(`flow "${id}"`);
    return flows.get(id);
  };
  const asConflict = (e: unknown): never => {
    if (e instanceof ChangeRequestConflict) throw new HttpError(409, e.code === 'stale' ? 'stale' : 'conflict', e.message);
    throw e;
  };

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/flows/{id}/approval-policy',
      tags,
      request: { params: IdParam },
      responses: { 200: json(ApprovalPolicy), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      return c.json(await requests.policy(id), 200);
    },
  );

  app.openapi(
    apiRoute('flows.approve', {
      method: 'put',
      path: '/flows/{id}/approval-policy',
      tags,
      description: "Whether a client's changes to this flow need a consultant's approval before they go live (off by default).",
      request: { params: IdParam, ...jsonBody(z.object({ clientChangesNeedApproval: z.boolean() })) },
      responses: { 200: json(ApprovalPolicy), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireFlow(id);
      const before = await requests.policy(id);
      const after = await requests.setPolicy(id, c.req.valid('json').clientChangesNeedApproval, actorOf(c));
      await d.audit.record(actorOf(c), 'flow.approval-policy', `flow:${id}`, {
        before: before.clientChangesNeedApproval,
        after: after.clientChangesNeedApproval,
      });
      return c.json(after, 200);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/change-requests',
      tags,
      description: 'Change requests, newest first: all flows, or one (`flowId`); `status` narrows them (e.g. `pending`, what consultants have to review).',
      request: {
        query: z.object({ flowId: z.string().optional(), status: z.enum(STATUSES).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
      },
      responses: { 200: json(z.object({ changeRequests: z.array(ChangeRequestSummary) })) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const list = (await requests.list(q)).filter((r) => !isTestFlow(r.flowId));
      return c.json({ changeRequests: list }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/change-requests/{id}',
      tags,
      request: { params: IdParam },
      responses: { 200: json(ChangeRequest), 404: notFound },
    }),
    async (c) => c.json((await requests.get(c.req.valid('param').id)) as z.infer<typeof ChangeRequest>, 200),
  );

  app.openapi(
    apiRoute('flows.approve', {
      method: 'post',
      path: '/change-requests/{id}/approve',
      tags,
      description:
        "Publishes the requested draft as the flow's next version, authored by the client who asked and approved by the caller (audited). " +
        'Refused (409 `stale`) when the draft changed or another version was published after the request, and (422) when the draft no longer passes the checks publishing makes.',
      request: { params: IdParam },
      responses: {
        200: json(
          z.object({
            changeRequest: ChangeRequestSummary,
            version: VersionInfo.extend({ approvedBy: z.string() }),
            warnings: z.array(z.object({ flowId: z.string(), flowName: z.string(), message: z.string() })),
          }),
        ),
        404: notFound,
        409: conflict,
        422: unprocessable,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const who = actorOf(c);
      const r = await requests.get(id);
      if (r.status !== 'pending')
        asConflict(
          new ChangeRequestConflict(
            'decided',
            `change request ${id} is ${r.status}${r.decidedBy ? ` (by ${r.decidedBy})` : ''}; only a pending request can be approved`,
          ),
        );
      if (r.stale) throw new HttpError(409, 'stale', `change request ${id} is stale and cannot be approved: ${r.stale}`);
      // The checks publishing makes, again: lookup tables may have changed since the request.
      const checked = validateFlow(r.definition, d.runtime.lookup, {
        connections: await d.connections.list(),
        connectionsComplete: true,
        codeSyntax: parseSandboxCode,
      });
      if (!checked.ok) throw new FlowInvalidError(r.flowId, checked.problems);
      const problems = await mappingPreviewProblems(d.runtime, d.lookups, r.flowId, checked.flow);
      if (problems.length) throw new HttpError(422, 'invalid_flow', `flow "${r.flowId}" is not valid: ${problems[0]!.message}`, problems);
      let result;
      try {
        // The stale check and the new version in the request's transaction: the draft published is the one asked for.
        result = await requests.approve(id, who, (req) => flows.publish(req.flowId, { message: req.message, by: req.requestedBy }));
      } catch (e) {
        return asConflict(e);
      }
      const v = result.version;
      await d.audit.record(who, 'flow.change-request.approve', `flow:${r.flowId}@${v.version}`, {
        changeRequest: id,
        requestedBy: r.requestedBy,
        message: r.message,
      });
      await d.audit.record(who, 'flow.publish', `flow:${r.flowId}@${v.version}`, {
        message: v.message,
        hash: v.hash,
        author: r.requestedBy,
        approvedBy: who,
        changeRequest: id,
      });
      await d.onTriggersChanged();
      const f = await flows.get(r.flowId);
      const warnings =
        f.active && f.activeVersion != null ? await postOverlaps(d.runtime, r.flowId, f.name, (await flows.version(r.flowId, f.activeVersion)).definition) : [];
      return c.json(
        {
          changeRequest: summaryOf(result.request),
          version: { version: v.version, hash: v.hash, message: v.message, createdAt: v.createdAt, createdBy: v.createdBy, approvedBy: who },
          warnings,
        },
        200,
      );
    },
  );

  app.openapi(
    apiRoute('flows.approve', {
      method: 'post',
      path: '/change-requests/{id}/reject',
      tags,
      description: 'Rejects a pending request (stale or not) with a reason, which the client sees on the flow. Nothing is published; the draft stays as it is.',
      request: { params: IdParam, ...jsonBody(z.object({ reason: z.string().trim().min(1, 'say why, so the client can fix it').max(2000) })) },
      responses: { 200: json(z.object({ changeRequest: ChangeRequestSummary })), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      let r;
      try {
        r = await requests.reject(id, actorOf(c), reason);
      } catch (e) {
        return asConflict(e);
      }
      await d.audit.record(actorOf(c), 'flow.change-request.reject', `flow:${r.flowId}`, { changeRequest: id, requestedBy: r.requestedBy, reason });
      return c.json({ changeRequest: summaryOf(r) }, 200);
    },
  );

  app.openapi(
    apiRoute('flows.publish', {
      method: 'post',
      path: '/change-requests/{id}/withdraw',
      tags,
      description: 'The client who asked takes a pending request back (consultants and owners may too). Nothing is published; the draft stays as it is.',
      request: { params: IdParam },
      responses: { 200: json(z.object({ changeRequest: ChangeRequestSummary })), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const user = currentUser(c);
      const asked = await requests.get(id);
      if (asked.requestedBy !== user.email && !can(user.role, 'flows.approve')) {
        throw new HttpError(
          403,
          'forbidden',
          `change request ${id} was asked for by ${asked.requestedBy}: only they, a consultant or an owner can withdraw it`,
        );
      }
      let r;
      try {
        r = await requests.withdraw(id, actorOf(c));
      } catch (e) {
        return asConflict(e);
      }
      await d.audit.record(actorOf(c), 'flow.change-request.withdraw', `flow:${r.flowId}`, { changeRequest: id, requestedBy: r.requestedBy });
      return c.json({ changeRequest: summaryOf(r) }, 200);
    },
  );

  return app;
}
