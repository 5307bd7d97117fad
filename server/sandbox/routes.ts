// /api/sandbox: what the sandbox is (shop, webhook URL, and for those who manage connections its webhook secret),
// what the panel sent and what became of it, and POST /api/sandbox/events to send a scenario.
import type { Deps } from '../deps.ts';
import { actorOf, apiRoute, conflict, currentUser, json, jsonBody, notFound, router, z } from '../api/http.ts';
import { can } from '../auth/roles.ts';
import { SANDBOX_ERP, SANDBOX_SHOP, isSandboxMode, type SandboxMode } from '../sandbox-mode.ts';
import { SCENARIOS, SCENARIO_IDS, SandboxPanel, type ScenarioId } from './panel.ts';

const Run = z.object({ flowId: z.string(), runId: z.string() });
const ScenarioInfo = z.object({ id: z.string(), title: z.string(), expect: z.string(), starts: z.string() });
const SandboxInfo = z
  .object({
    sandboxMode: z.boolean(),
    ready: z.boolean().openapi({ description: 'The sandbox shop is up (it starts a second after the server)' }),
    shop: z.object({
      connection: z.string(),
      domain: z.string().nullable(),
      webhookUrl: z.string(),
      webhookSecret: z.string().optional().openapi({ description: 'Only for roles that manage connections' }),
    }),
    erp: z.object({ connection: z.string() }),
    scenarios: z.array(ScenarioInfo),
    activity: z.array(
      z.object({
        kind: z.string(),
        scenario: z.string(),
        label: z.string(),
        at: z.string(),
        orderGid: z.string().optional(),
        refundGid: z.string().optional().openapi({ description: 'A refund row: its runs are those keyed shopifyRefundId by it' }),
        runs: z.array(Run),
      }),
    ),
  })
  .openapi('SandboxInfo');
const SendBody = z.object({ scenario: z.enum(SCENARIO_IDS as [ScenarioId, ...ScenarioId[]]) }).openapi('SandboxSend');
const SendResult = z
  .object({
    scenario: z.string(),
    message: z.string(),
    orderName: z.string().optional(),
    orderId: z.string().optional(),
    refundId: z.string().optional(),
    payoutId: z.string().optional(),
    runs: z.array(Run),
  })
  .openapi('SandboxSendResult');

export function sandboxRouter(d: Deps, mode: () => SandboxMode | null) {
  const app = router();
  const panel = new SandboxPanel(d, mode);

  app.openapi(apiRoute('sandbox.use', { method: 'get', path: '/sandbox', tags: ['sandbox'], responses: { 200: json(SandboxInfo) } }), async (c) => {
    const m = mode();
    const on = !!m && (await isSandboxMode(d.secrets));
    const store = m?.store;
    const secret = on && can(currentUser(c).role, 'connections.write') ? await d.secrets.get('sandbox-webhook-secret') : undefined;
    return c.json(
      {
        sandboxMode: on,
        ready: !!store,
        shop: {
          connection: SANDBOX_SHOP,
          domain: store?.shopDomain ?? null,
          webhookUrl: `${new URL(c.req.url).origin}/webhooks/shopify/${SANDBOX_SHOP}`,
          ...(secret ? { webhookSecret: secret } : {}),
        },
        erp: { connection: SANDBOX_ERP },
        scenarios: SCENARIO_IDS.map((id) => ({ id, title: SCENARIOS[id].title, expect: SCENARIOS[id].expect, starts: SCENARIOS[id].starts })),
        activity: on ? await panel.activity() : [],
      },
      200,
    );
  });

  app.openapi(
    apiRoute('sandbox.use', {
      method: 'post',
      path: '/sandbox/events',
      tags: ['sandbox'],
      description:
        'Sends a scenario event through the real path: the sandbox shop delivers a signed webhook, or the ERP/catalogue changes and the scheduled flow that picks it up runs now.',
      request: jsonBody(SendBody),
      responses: { 201: json(SendResult, 'Sent'), 404: notFound, 409: conflict },
    }),
    async (c) => c.json(await panel.send(c.req.valid('json').scenario, actorOf(c)), 201),
  );

  return app;
}
