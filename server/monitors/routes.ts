// GET /api/monitors: the monitors, what they watch, their thresholds and state, when they last checked and fired,
// and which monitors cover each flow (the designer's monitors page).
import type { Deps } from '../deps.ts';
import { apiRoute, json, router, z } from '../api/http.ts';
import { monitorsOverview } from './overview.ts';

const Monitor = z
  .object({
    flowId: z.string(),
    flowName: z.string(),
    active: z.boolean(),
    version: z.number().int().nullable(),
    nodeId: z.string(),
    name: z.string(),
    type: z.string(),
    title: z.string(),
    schedule: z.object({ cron: z.string(), timezone: z.string(), every: z.string(), next: z.string().nullable() }).nullable(),
    watches: z.string(),
    thresholds: z.array(z.object({ label: z.string(), value: z.string() })),
    raises: z.array(z.string()).openapi({ description: 'Exception types it raises.' }),
    state: z.enum(['inactive', 'failing', 'firing', 'ok', 'not-run']).openapi({
      description: 'inactive: its flow is off; failing: its last check failed; firing: it has unresolved exceptions; not-run: active but never checked.',
    }),
    open: z.number().int(),
    lastCheck: z
      .object({
        runId: z.string(),
        status: z.string(),
        at: z.number(),
        found: z.number().optional(),
        newlyRaised: z.number().optional(),
        cleared: z.number().optional(),
        error: z.string().optional(),
      })
      .nullable(),
    lastFired: z.object({ at: z.number(), exceptionId: z.string(), type: z.string(), title: z.string(), state: z.string() }).nullable(),
    flows: z.array(z.string()).openapi({ description: 'The flows it covers.' }),
  })
  .openapi('Monitor');

const Overview = z
  .object({
    generatedAt: z.string(),
    monitors: z.array(Monitor),
    flows: z.array(
      z.object({
        flowId: z.string(),
        name: z.string(),
        active: z.boolean(),
        monitors: z.array(
          z.object({
            key: z.string().openapi({ description: '`flowId/nodeId` of a monitor covering it' }),
            state: z.enum(['inactive', 'failing', 'firing', 'ok', 'not-run']),
            open: z.number().int().openapi({ description: 'Its unresolved exceptions that concern this flow' }),
          }),
        ),
      }),
    ),
  })
  .openapi('MonitorsOverview');

export function monitorsRouter(d: Deps) {
  const app = router();
  app.openapi(
    apiRoute('monitors.read', {
      method: 'get',
      path: '/monitors',
      tags: ['monitors'],
      description:
        'Every monitor node of every flow: what it watches, its thresholds, schedule, state, last check and last firing; and per flow, the monitors covering it.',
      responses: { 200: json(Overview) },
    }),
    async (c) => c.json(d.scrub(await monitorsOverview(d)), 200),
  );
  return app;
}
