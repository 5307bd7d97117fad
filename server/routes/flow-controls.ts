// /api/flows/{id}/pause, /resume and /schedule: the operational controls triage's buttons use (a throttled scheduled
// flow paused, the stock push made more or less frequent). Audited; each answer says what it did, and each can be
// undone with the same routes (resume; the previous cron).
import type { Deps } from '../deps.ts';
import { HttpError, actorOf, apiRoute, conflict, json, notFound, router, z } from '../api/http.ts';
import { FlowSummary } from '../api/schemas.ts';
import { FlowControlError, FlowControls, MIN_GAP_MINUTES } from '../flows/controls.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const Why = z.object({ exceptionId: z.string().optional().openapi({ description: 'The exception whose triage proposed this (kept in the audit log).' }) });
const PauseResult = z.object({ flow: FlowSummary, message: z.string() }).openapi('FlowPauseResult');
const ScheduleBody = Why.extend({
  cron: z
    .string()
    .min(1)
    .max(200)
    .openapi({ description: `The new cron (5 fields) of the flow's schedule trigger; at most every ${MIN_GAP_MINUTES} minutes.` }),
  expectedVersion: z
    .number()
    .int()
    .positive()
    .optional()
    .openapi({ description: 'The running version the caller saw; refused with 409 when another has been published since.' }),
}).openapi('FlowScheduleChange');
const ScheduleResult = z
  .object({
    flowId: z.string(),
    name: z.string(),
    nodeId: z.string(),
    version: z.number().int(),
    from: z.string(),
    to: z.string(),
    fromEvery: z.string(),
    toEvery: z.string(),
    message: z.string(),
  })
  .openapi('FlowScheduleResult');
const tags = ['flows'];

const optionalBody = (schema: z.ZodTypeAny) => ({ body: { content: { 'application/json': { schema } }, required: false } });

export function flowControlsRouter(d: Deps) {
  const app = router();
  const controls = new FlowControls(d);
  const run = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof FlowControlError)
        throw /^no flow/.test(e.message) ? new HttpError(404, 'not_found', e.message) : new HttpError(409, 'conflict', e.message);
      throw e;
    }
  };
  const why = async (c: { req: { json(): Promise<unknown> } }) => Why.parse(await c.req.json().catch(() => ({})));

  app.openapi(
    apiRoute('flows.pause', {
      method: 'post',
      path: '/flows/{id}/pause',
      tags,
      description:
        'Pauses a running scheduled flow (its schedule stops firing; runs already queued finish). Webhook flows are refused: their events would start no runs meanwhile.',
      request: { params: IdParam, ...optionalBody(Why) },
      responses: { 200: json(PauseResult), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const w = await why(c);
      return c.json(await run(() => controls.pause(c.req.valid('param').id, actorOf(c), w)), 200);
    },
  );

  app.openapi(
    apiRoute('flows.pause', {
      method: 'post',
      path: '/flows/{id}/resume',
      tags,
      description: 'Resumes a paused flow on the version it ran. A flow a builder deactivated is refused (activating is flows.activate).',
      request: { params: IdParam, ...optionalBody(Why) },
      responses: { 200: json(PauseResult), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const w = await why(c);
      return c.json(await run(() => controls.resume(c.req.valid('param').id, actorOf(c), w)), 200);
    },
  );

  app.openapi(
    apiRoute('flows.schedule', {
      method: 'post',
      path: '/flows/{id}/schedule',
      tags,
      description:
        'Changes the cron of a running scheduled flow: the running version with only that changed is published as the next version (the draft follows). Undo by sending the previous cron.',
      request: { params: IdParam, body: { content: { 'application/json': { schema: ScheduleBody } }, required: true } },
      responses: { 200: json(ScheduleResult), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await run(() => controls.setSchedule(c.req.valid('param').id, b.cron, actorOf(c), { expectedVersion: b.expectedVersion, exceptionId: b.exceptionId })),
        200,
      );
    },
  );
  return app;
}
