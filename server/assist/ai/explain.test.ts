// The model path of triage explanations, through the API against the loopback server speaking the providers'
// published contracts: off by default (nothing sent); on, the model rewrites only the explanation (category, evidence,
// next step and action stay the offline rules'), nothing personal is in the request (the customer's name learnt from
// the run's order, e-mails and phones by pattern), and a malformed, wrongly shaped or slow answer leaves the offline
// explanation with a note. The inbox's batch triage never asks the model.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, MASTER_KEY, METRICS_TOKEN, flow, testServer, type TestServer } from '../../testing.ts';
import { startLoopbackProvider, type LoopbackProvider } from './loopback-provider.ts';

const KEY = 'sk-loopback-Expl41nK3y';
const TIMEOUT_MS = 800;
const PERSONAL = ['philippa', 'quartermaine', 'example.org', '7700', '900123', 'wolverhampton'];

let t: TestServer;
let lp: LoopbackProvider;
let runId = '';
let n = 0;

const assist = (id: string) => t.json('GET', `/api/assist/exceptions/${id}`, { token: t.tokens.operator });
const configure = (body: Record<string, unknown>) => t.json('PUT', '/api/assist/settings', { token: t.tokens.owner, body });
/** An ERP refusal quoting the customer, on the run of an order that names her (a new exception each time). */
const refused = async () =>
  (
    await t.server.deps.exceptions.raise({
      type: 'erp-rejected',
      key: `erp-rejected:${++n}`,
      title: `The ERP refused order #100${n} of Philippa Quartermaine`,
      links: { runId, flowId: 'orders', nodeId: 'hook' },
      data: {
        error: {
          message: 'Customer Philippa Quartermaine (philippa.q@example.org, +44 7700 900123) is on credit hold',
          class: 'permanent',
          code: 'ERP_VALIDATION',
        },
        stepType: 'erp.post-sales-order',
      },
    })
  ).id;

beforeAll(async () => {
  lp = await startLoopbackProvider();
  t = await testServer({
    withRoles: true,
    env: {
      LEDGERLINE_ADMIN_EMAIL: ADMIN.email,
      LEDGERLINE_ADMIN_PASSWORD: ADMIN.password,
      LEDGERLINE_MASTER_KEY: MASTER_KEY,
      LEDGERLINE_METRICS_TOKEN: METRICS_TOKEN,
      LEDGERLINE_AI_TIMEOUT_MS: String(TIMEOUT_MS),
    },
  });
  const rt = t.server.runtime;
  await rt.flows.create(flow('orders', [{ id: 'hook', type: 'test.shopify-trigger', config: { connectionId: 'shop' } }], []));
  await rt.flows.publish('orders');
  const order = {
    id: 1001,
    email: 'philippa.q@example.org',
    customer: { first_name: 'Philippa', last_name: 'Quartermaine', email: 'philippa.q@example.org' },
    shipping_address: { name: 'Philippa Quartermaine', address1: '17 Wolverhampton Crescent', phone: '+44 7700 900123' },
  };
  runId = (
    await rt.queue.ingest({
      source: 'test',
      dedupKey: 'order-1001',
      topic: 'orders/paid',
      payload: { body: JSON.stringify(order), headers: {} },
      targets: [{ flowId: 'orders', version: 1 }],
    })
  ).runIds[0]!;
});
afterAll(async () => {
  await t?.close();
  await lp?.close();
});
beforeEach(() => {
  lp.mode = 'ok';
  lp.requests.length = 0;
});

describe('triage explanations by the language model', () => {
  it("are the offline rules' while the model is off, and nothing is sent", async () => {
    const r = await assist(await refused());
    expect(r.status).toBe(200);
    expect(r.body.triage).toMatchObject({ source: 'rule', notes: [], category: 'data-mapping' });
    expect(r.body.triage.explanation).toMatch(/^The ERP refused the document/);
    expect(lp.requests).toHaveLength(0);
  });

  it('when on, the model rewrites only the explanation; nothing personal leaves; the answer is reused when reopened', async () => {
    const id = await refused();
    const offline = (await assist(id)).body.triage;
    expect((await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true })).status).toBe(200);
    const r = await assist(id);
    expect(r.body.triage.source).toBe('model');
    expect(r.body.triage.explanation).toMatch(
      /^Loopback explanation \(Data mapping\): The ERP refused the document: "Customer <name> \(<email>, <phone>\) is on credit hold"/,
    );
    expect(r.body.triage.ruleExplanation).toBe(offline.explanation);
    expect(r.body.triage.notes[0]).toMatch(
      /^Explanation written by llama3\.1:8b \(openai-compatible\) in \d+ ms; the category and next step are the offline rules'\.$/,
    );
    for (const k of ['category', 'categoryLabel', 'evidence', 'nextStep', 'action'] as const) expect(r.body.triage[k]).toEqual(offline[k]);

    expect(lp.requests).toHaveLength(1);
    const body = lp.requests[0]!.body.toLowerCase();
    for (const p of PERSONAL) expect(body, `${p} was sent to the model`).not.toContain(p);
    expect(body).toContain('<name>');
    expect(body).toContain('<email>');
    expect(lp.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(JSON.stringify(r.body)).not.toContain(KEY);

    expect((await assist(id)).body.triage.source).toBe('model');
    expect(lp.requests).toHaveLength(1);
    // The inbox's batch triage (hundreds at once) stays offline.
    const batch = await t.json('GET', `/api/assist/triage?ids=${id}`, { token: t.tokens.operator });
    expect(batch.body.triage[id].source).toBe('rule');
    expect(lp.requests).toHaveLength(1);
  });

  for (const [mode, note] of [
    ['malformed', /not the expected JSON/],
    ['wrong-shape', /not the expected JSON|did not fit/],
    ['error', /HTTP 500/],
  ] as const) {
    it(`falls back to the offline explanation with a note when the model's answer is ${mode}`, async () => {
      await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true });
      const id = await refused();
      lp.mode = mode;
      const r = await assist(id);
      expect(r.body.triage.source).toBe('rule');
      expect(r.body.triage.explanation).toMatch(/^The ERP refused the document/);
      expect(r.body.triage.notes[0]).toMatch(/^The language model was not used: .*\. This is the offline explanation\.$/);
      expect(r.body.triage.notes[0]).toMatch(note);
      expect(lp.requests).toHaveLength(1);
      // Not cached: the next opening asks again.
      lp.mode = 'ok';
      expect((await assist(id)).body.triage.source).toBe('model');
    });
  }

  it('gives up on a slow model at the timeout and serves the offline explanation', async () => {
    await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true });
    lp.mode = 'slow';
    lp.delayMs = 10_000;
    const started = Date.now();
    const r = await assist(await refused());
    const took = Date.now() - started;
    expect(r.body.triage.source).toBe('rule');
    expect(r.body.triage.notes[0]).toMatch(/did not answer in time/);
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(took).toBeLessThan(TIMEOUT_MS + 4000);
  });

  it("the settings page shows the exact request for an exception's explanation, masked, without sending it", async () => {
    await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true });
    const id = await refused();
    const r = await t.json('POST', '/api/assist/settings/preview', { token: t.tokens.owner, body: { kind: 'triage', exceptionId: id } });
    expect(r.status).toBe(200);
    expect(r.body.url).toBe(`${lp.url}/chat/completions`);
    const sent = JSON.stringify(r.body.body);
    expect(sent).toContain('Exception triage (JSON)');
    expect(sent).toContain('The ERP refused order #100');
    for (const p of PERSONAL) expect(sent.toLowerCase()).not.toContain(p);
    expect(sent).not.toContain(KEY);
    expect(lp.requests).toHaveLength(0);
    expect(
      (await t.json('POST', '/api/assist/settings/preview', { token: t.tokens.owner, body: { kind: 'triage', exceptionId: 'exc_nope' } })).body.error,
    ).toBe('no exception "exc_nope"');
    expect((await t.json('POST', '/api/assist/settings/preview', { token: t.tokens.operator, body: { kind: 'triage' } })).status).toBe(403);
  });
});
