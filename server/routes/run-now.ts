// POST /api/flows/{id}/run-now: fires a scheduled flow's active version at once, as its schedule would (a payout
// reconciliation otherwise waits for 06:00). The event is a schedule event marked `manual`, with who asked.
import { randomUUID } from 'node:crypto';
import cronstrue from 'cronstrue';
import { nextFire } from '../../nodes/core/trigger-schedule.ts';
import type { Deps } from '../deps.ts';
import { HttpError, actorOf, apiRoute, conflict, json, notFound, router, z } from '../api/http.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const RunNowResult = z.object({ runId: z.string(), flowId: z.string(), flowVersion: z.number().int(), scheduledFor: z.string() }).openapi('RunNowResult');

/** Queues one run of an active scheduled flow now; throws 404 (no such flow) or 409 (not active, not scheduled). */
export async function runScheduledFlowNow(d: Deps, flowId: string, by: string): Promise<z.infer<typeof RunNowResult>> {
  await d.runtime.flows.get(flowId); // 404 when it does not exist
  const trigger = (await d.runtime.flows.activeTriggers()).find((t) => t.flowId === flowId);
  if (!trigger) throw new HttpError(409, 'conflict', `flow "${flowId}" is not active: activate a published version first`);
  if (trigger.type !== 'trigger.schedule')
    throw new HttpError(409, 'conflict', `flow "${flowId}" starts on ${trigger.type}, not on a schedule: "run now" is for scheduled flows`);
  const now = new Date(d.now());
  const scheduledFor = now.toISOString();
  const r = await d.runtime.queue.ingest({
    source: 'schedule',
    dedupKey: `${flowId}@manual:${randomUUID()}`,
    topic: 'run-now', // the runs list says "run now", not "schedule"
    payload: { scheduledFor, firedAt: scheduledFor, timezone: String(trigger.config.timezone ?? 'UTC'), manual: true, by },
    targets: [{ flowId, version: trigger.version }],
  });
  d.metrics.runsQueued.inc({ flow: flowId });
  return { runId: r.runIds[0]!, flowId, flowVersion: trigger.version, scheduledFor }; // one target, fresh dedup key: one run
}

const Schedule = z
  .object({
    flowId: z.string(),
    name: z.string(),
    version: z.number().int(),
    cron: z.string(),
    timezone: z.string(),
    every: z.string().openapi({ description: 'The cron in words, e.g. "Every 5 minutes"' }),
    next: z.string().nullable(),
  })
  .openapi('Schedule');

/** The active flows that start on a schedule, with their cron in words and next firing. */
export async function schedules(d: Deps): Promise<z.infer<typeof Schedule>[]> {
  const names = new Map((await d.runtime.flows.list()).map((f) => [f.id, f.name]));
  return (await d.runtime.flows.activeTriggers())
    .filter((t) => t.type === 'trigger.schedule')
    .map((t) => {
      const cron = String(t.config.cron);
      const timezone = String(t.config.timezone ?? 'UTC');
      let every = cron;
      try {
        every = cronstrue.toString(cron, { use24HourTimeFormat: true });
      } catch {
        /* keep the cron text */
      }
      let next: string | null = null;
      try {
        next = nextFire({ cron, timezone }, new Date(d.now()))?.toISOString() ?? null;
      } catch {
        /* an invalid cron never fires */
      }
      return { flowId: t.flowId, name: names.get(t.flowId) ?? t.flowId, version: t.version, cron, timezone, every, next };
    });
}

export function runNowRouter(d: Deps) {
  const app = router();
  app.openapi(
    apiRoute('flows.read', {
      method: 'get',
      path: '/schedules',
      tags: ['runs'],
      description: 'Active scheduled flows, their cron in words and next firing.',
      responses: { 200: json(z.object({ schedules: z.array(Schedule) })) },
    }),
    async (c) => c.json({ schedules: await schedules(d) }, 200),
  );
  app.openapi(
    apiRoute('runs.triage', {
      method: 'post',
      path: '/flows/{id}/run-now',
      tags: ['runs'],
      description: "Runs a scheduled flow's active version now, as its schedule would.",
      request: { params: IdParam },
      responses: { 201: json(RunNowResult, 'Run queued'), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const r = await runScheduledFlowNow(d, id, actorOf(c));
      await d.audit.record(actorOf(c), 'flow.run-now', `flow:${id}`, { runId: r.runId, flowVersion: r.flowVersion });
      return c.json(r, 201);
    },
  );
  return app;
}
