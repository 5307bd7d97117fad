// /api/runs: search by flow, status, time and business key; one run with its steps; replay; cancel.
import type { Deps } from '../deps.ts';
import { HttpError, actorOf, apiRoute, conflict, json, notFound, router, z } from '../api/http.ts';
import { ReplayPlan, RunRecord, RunSummary } from '../api/schemas.ts';
import { ReplayPlanError, type ReplayOptions } from '../../runtime/runs.ts';
import { isTestFlow } from '../flows/test-run.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const tags = ['runs'];

// What a run shows of the runs that replay it: so a failed run whose replay succeeded says so, and links forward.
const RunReplay = z
  .object({ runId: z.string(), status: z.string(), createdAt: z.number().int() })
  .openapi('RunReplay', { description: 'A run that replays this one' });
const replayFields = {
  replayedBy: z.array(RunReplay).optional().openapi({ description: 'The runs that replay this one, newest first; absent when it was never replayed' }),
  replaySucceededBy: z.string().optional().openapi({
    description:
      'The newest replay of this run that succeeded, also through a replay of one of its replays; absent when none did (a failed run with one needs nothing more)',
  }),
};
const RunListEntry = RunSummary.extend(replayFields).openapi('RunListEntry');
const RunDetail = RunRecord.extend(replayFields).openapi('RunDetail');

/** Epoch milliseconds or an ISO date. */
const instant = z
  .string()
  .transform((s, ctx) => {
    const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (Number.isNaN(n)) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is neither epoch milliseconds nor an ISO date` });
      return z.NEVER;
    }
    return n;
  })
  .openapi({ type: 'string', description: 'epoch ms or ISO 8601' });

const ListQuery = z.object({
  flowId: z.string().optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']).optional(),
  from: instant.optional(),
  to: instant.optional(),
  key: z
    .string()
    .regex(/^[^:]+:.+$/, 'use name:value, e.g. shopifyOrderId:gid://shopify/Order/1')
    .optional()
    .openapi({ description: 'A business key as name:value, e.g. shopifyOrderId:gid://shopify/Order/1' }),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'Search: order name or number (#5007, 5007), Shopify id, any business key value, ERP document number' }),
  before: z.string().optional().openapi({ description: 'Run id to page from (runs created before it)' }),
});

const ReplayBody = z
  .object({
    version: z.number().int().positive().optional(),
    from: z
      .union([z.enum(['failed', 'start']), z.object({ step: z.string().min(1) })])
      .optional()
      .openapi({ description: '"failed" (default): from the failed step; "start"; or { step: nodeId }' }),
    resend: z.array(z.string().min(1)).max(100).optional().openapi({ description: 'Steps that already posted a document and are confirmed to be sent again' }),
  })
  .strict();

// The body is optional (an empty POST replays from the failed step), so it is read and checked here.
async function readBody(c: { req: { json(): Promise<unknown> } }): Promise<z.infer<typeof ReplayBody>> {
  const raw = await c.req.json().catch(() => ({}));
  const r = ReplayBody.safeParse(raw ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => ({
      where: 'body',
      path: '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
      message: i.message,
    }));
    throw new HttpError(400, 'invalid_request', problems.map((p) => `${p.path} ${p.message}`).join('; '), problems);
  }
  return r.data;
}

const replayOptions = (b: z.infer<typeof ReplayBody>): ReplayOptions => ({ version: b.version, from: b.from, resend: b.resend });

async function planOrThrow<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof ReplayPlanError) throw new HttpError(400, 'invalid_request', e.message, [{ where: 'body', path: '$.from.step', message: e.message }]);
    throw e;
  }
}

export function runsRouter(d: Deps) {
  const app = router();
  const runs = d.runtime.runs;

  app.openapi(
    apiRoute('runs.read', {
      method: 'get',
      path: '/runs',
      tags,
      request: { query: ListQuery },
      responses: { 200: json(z.object({ runs: z.array(RunListEntry) })) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const i = q.key?.indexOf(':') ?? -1;
      const list = await runs.list({
        flowId: q.flowId,
        status: q.status,
        from: q.from,
        to: q.to,
        key: q.key ? { key: q.key.slice(0, i), value: q.key.slice(i + 1) } : undefined,
        search: q.q,
        limit: q.limit,
        before: q.before,
      });
      return c.json({ runs: d.scrub(q.flowId ? list : list.filter((r) => !isTestFlow(r.flowId))) as z.infer<typeof RunListEntry>[] }, 200);
    },
  );

  app.openapi(
    apiRoute('runs.read', { method: 'get', path: '/runs/{id}', tags, request: { params: IdParam }, responses: { 200: json(RunDetail), 404: notFound } }),
    async (c) => c.json(d.scrub(await runs.get(c.req.valid('param').id)) as z.infer<typeof RunDetail>, 200),
  );

  const replayBody = { body: { content: { 'application/json': { schema: ReplayBody } }, required: false } };

  app.openapi(
    apiRoute('runs.read', {
      method: 'post',
      path: '/runs/{id}/replay/preview',
      tags,
      description: 'What a replay with these options would do, step by step (re-run or reuse, and why), without doing it.',
      request: { params: IdParam, ...replayBody },
      responses: { 200: json(ReplayPlan), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const opts = replayOptions(await readBody(c));
      return c.json(d.scrub(await planOrThrow(() => runs.planReplay(id, opts))) as z.infer<typeof ReplayPlan>, 200);
    },
  );

  app.openapi(
    apiRoute('runs.triage', {
      method: 'post',
      path: '/runs/{id}/replay',
      tags,
      description:
        'A new run of the same event: from the failed step (default), the start, or a chosen step, on the active version unless one is given. ' +
        'Steps that read a lookup table changed since, or whose settings changed, re-run; a step that already posted a document is reused unless named in `resend`.',
      request: { params: IdParam, ...replayBody },
      responses: {
        201: json(z.object({ runId: z.string(), flowVersion: z.number().int(), reused: z.array(z.string()), plan: ReplayPlan }), 'Replay queued'),
        404: notFound,
        409: conflict,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const opts = replayOptions(await readBody(c));
      const r = await planOrThrow(() => runs.replay(id, opts));
      await d.audit.record(actorOf(c), 'run.replay', `run:${id}`, {
        newRunId: r.runId,
        flowVersion: r.flowVersion,
        from: r.plan.from,
        fromStep: r.plan.fromStep,
        reused: r.reused,
        rerun: r.plan.rerun,
        resend: opts.resend ?? [],
      });
      return c.json(d.scrub(r) as { runId: string; flowVersion: number; reused: string[]; plan: z.infer<typeof ReplayPlan> }, 201);
    },
  );

  app.openapi(
    apiRoute('runs.triage', {
      method: 'post',
      path: '/runs/{id}/cancel',
      tags,
      request: { params: IdParam },
      responses: { 200: json(RunSummary), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const r = await runs.cancel(id);
      await d.audit.record(actorOf(c), 'run.cancel', `run:${id}`, {});
      const { keys: _k, steps: _s, ...summary } = r as typeof r & { keys?: unknown; steps?: unknown };
      return c.json(d.scrub(summary) as z.infer<typeof RunSummary>, 200);
    },
  );

  return app;
}
