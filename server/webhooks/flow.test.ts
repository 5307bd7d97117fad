import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';
import { signFlowWebhook } from './flow.ts';

let t: TestServer;
let secret = '';
beforeEach(async () => {
  t = await testServer();
  await t.server.runtime.flows.create(
    flow(
      'hook',
      [
        { id: 't', type: 'trigger.webhook', config: { dedupHeader: 'x-event-id' } },
        { id: 'a', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a'],
      { businessKeys: { invoice: 'invoice.id' } },
    ),
  );
  secret = (await t.json('POST', '/api/flows/hook/webhook-secret', { token: t.tokens.owner })).body.secret;
});
afterEach(() => t.close());

const post = (body: string, headers: Record<string, string>) =>
  t.req('POST', '/webhooks/flows/hook', { raw: body, headers: { 'content-type': 'application/json', ...headers } });

describe('POST /webhooks/flows/:flowId', () => {
  it('needs the flow secret (bearer or HMAC) and an active version; dedups on the configured header', async () => {
    const body = JSON.stringify({ value: 1, invoice: { id: 'INV-1' } });
    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(body, { authorization: `Bearer ${secret}` })).status).toBe(409);
    await t.server.runtime.flows.publish('hook', { activate: true });
    const ok = await post(body, { authorization: `Bearer ${secret}`, 'x-event-id': 'e1' });
    expect(ok.status).toBe(200);
    const first = await ok.json();
    expect(first.runIds).toHaveLength(1);
    const dup = await (await post(body, { 'x-ledgerline-hmac-sha256': signFlowWebhook(secret, body), 'x-event-id': 'e1' })).json();
    expect(dup).toMatchObject({ duplicate: true, runIds: [] });
    expect((await post(body, { 'x-ledgerline-hmac-sha256': signFlowWebhook('other', body) })).status).toBe(401);
    expect((await post('not json', { authorization: `Bearer ${secret}` })).status).toBe(400);
    expect((await t.req('POST', '/webhooks/flows/none', { raw: '{}' })).status).toBe(404);
    await t.server.runtime.drain();
    const runs = await t.json('GET', '/api/runs?key=invoice:INV-1', { token: t.tokens.owner });
    expect(runs.body.runs[0]).toMatchObject({ runId: first.runIds[0], status: 'succeeded' });
  });
});
