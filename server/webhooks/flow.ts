// POST /webhooks/flows/:flowId for `trigger.webhook` flows. The caller proves itself with the flow's secret, as a
// bearer token or as a base64 HMAC-SHA256 of the raw body in X-Ledgerline-Hmac-Sha256.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../api/http.ts';
import { errorBody } from '../api/http.ts';
import { pathKeys } from './keys.ts';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function signFlowWebhook(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export function flowWebhookRoutes(d: Deps) {
  const app = new Hono<AppEnv>();
  const rt = d.runtime;
  const count = (result: string) => d.metrics.webhooks.inc({ source: 'flow', result });

  app.post('/flows/:flowId', async (c) => {
    const flowId = c.req.param('flowId');
    const trigger = (await rt.flows.activeTriggers()).find((t) => t.flowId === flowId);
    let exists = true;
    try {
      await rt.flows.get(flowId);
    } catch {
      exists = false;
    }
    if (!exists) {
      count('not_found');
      return c.json(errorBody('not_found', `no flow "${flowId}"`), 404);
    }
    const secret = await d.secrets.get(`flow-webhook:${flowId}`);
    const raw = await c.req.text();
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const sig = c.req.header('x-ledgerline-hmac-sha256');
    const authorised = !!secret && ((bearer !== undefined && same(bearer, secret)) || (sig !== undefined && same(sig, signFlowWebhook(secret, raw))));
    if (!authorised) {
      count('unauthorized');
      return c.json(
        errorBody(
          'unauthorized',
          secret
            ? 'bad or missing webhook credentials (Authorization: Bearer <secret> or X-Ledgerline-Hmac-Sha256)'
            : `flow "${flowId}" has no webhook secret yet (POST /api/flows/${flowId}/webhook-secret)`,
        ),
        401,
      );
    }
    if (trigger?.type !== 'trigger.webhook') {
      count('inactive');
      return c.json(errorBody('inactive', `flow "${flowId}" has no active version with a webhook trigger`), 409);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (e) {
      count('invalid');
      return c.json(errorBody('invalid_json', `the body is not JSON: ${(e as Error).message}`), 400);
    }
    const dedupHeader = trigger.config.dedupHeader as string | undefined;
    const dedupKey = dedupHeader ? c.req.header(dedupHeader) : undefined;
    const spec = (await rt.flows.version(flowId, trigger.version)).definition.settings?.businessKeys;
    const r = await rt.queue.ingest({
      source: `webhook:${flowId}`,
      dedupKey,
      topic: 'webhook',
      payload: raw,
      meta: { contentType: c.req.header('content-type') ?? null },
      targets: [{ flowId, version: trigger.version }],
      keys: pathKeys(spec, body),
    });
    count(r.duplicate ? 'duplicate' : 'accepted');
    if (!r.duplicate) {
      d.metrics.runsQueued.inc({ flow: flowId });
      d.log.info({ eventId: r.eventId, runIds: r.runIds, flowId }, 'runs queued');
    }
    return c.json({ ok: true, eventId: r.eventId, duplicate: r.duplicate, runIds: r.runIds }, 200);
  });

  return app;
}
