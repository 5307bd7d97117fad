// The optional language-model path of mapping suggestions, end to end through the API against a loopback server
// speaking the providers' published HTTP contracts (no model can be reached here): off by default, only an owner
// turns it on, the key stays in the vault and out of every response and log, nothing personal is in any request
// body, and a broken, slow or failing model leaves the offline suggestions standing with a visible note.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ADMIN, MASTER_KEY, METRICS_TOKEN, testServer, type TestServer } from '../../testing.ts';
import { startLoopbackProvider, type LoopbackProvider } from './loopback-provider.ts';
import { rawRows } from '../../../runtime/testing/raw.ts';

const KEY = 'sk-loopback-Zq81vXk3pT0a';
const TIMEOUT_MS = 800;

let t: TestServer;
let lp: LoopbackProvider;

// Shopify's published orders/paid example with a customer whose every personal detail is distinctive.
const sample = JSON.parse(readFileSync(new URL('../../../nodes/shopify/samples/orders-paid.example.json', import.meta.url), 'utf8'));
const person = {
  first_name: 'Philippa',
  last_name: 'Quartermaine',
  name: 'Philippa Quartermaine',
  address1: '17 Wolverhampton Crescent',
  address2: 'Flat 9b',
  city: 'Llanfairfechan',
  zip: 'LL33 0BW',
  phone: '+44 7700 900123',
  company: 'Quartermaine Holdings',
  province: 'Conwy',
  country: 'United Kingdom',
  country_code: 'GB',
  province_code: 'CWY',
};
sample.email = 'philippa.q@example.org';
sample.contact_email = 'philippa.q@example.org';
sample.phone = '+44 7700 900123';
sample.note = 'Please ring Philippa on 07700 900456 before delivery';
sample.billing_address = { ...person };
sample.shipping_address = { ...person, address1: '3 Aberystwyth Mews' };
sample.customer = {
  ...sample.customer,
  first_name: 'Philippa',
  last_name: 'Quartermaine',
  email: 'philippa.q@example.org',
  phone: '+44 7700 900123',
  default_address: { ...person },
};
const PERSONAL = [
  'philippa',
  'quartermaine',
  'wolverhampton',
  'llanfairfechan',
  'LL33 0BW',
  '7700',
  '900123',
  '900456',
  'aberystwyth',
  'flat 9b',
  'conwy',
  'example.org',
];

const suggest = (token = t.tokens.consultant) =>
  t.json('POST', '/api/assist/suggest-mapping', { token, body: { targetNodeType: 'erp.post-sales-order', sample } });
const configure = (body: Record<string, unknown>, token = t.tokens.owner) => t.json('PUT', '/api/assist/settings', { token, body });
const offlineTop = async () => {
  const r = await t.json('PUT', '/api/assist/settings', { token: t.tokens.owner, body: { enabled: false } });
  expect(r.status).toBe(200);
  const off = await suggest();
  expect(off.body.engine).toBe('offline');
  return off.body;
};

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
});
afterAll(async () => {
  await t?.close();
  await lp?.close();
});
beforeEach(() => {
  lp.mode = 'ok';
  lp.requests.length = 0;
});

function expectNothingPersonal() {
  expect(lp.requests.length).toBeGreaterThan(0);
  for (const r of lp.requests) {
    const body = r.body.toLowerCase();
    for (const p of PERSONAL) expect(body, `${p} was sent to the model`).not.toContain(p.toLowerCase());
    // Masked, not merely absent: the model is told what kind of value stood there.
    expect(body).toContain('<email>');
  }
}

function expectKeyNowhere(...values: unknown[]) {
  for (const v of values) expect(JSON.stringify(v)).not.toContain(KEY);
  expect(t.logs.join('\n')).not.toContain(KEY);
}

describe('assistant language model', () => {
  it('is off by default: suggestions are offline and nothing is sent, even with a provider configured', async () => {
    const s = await t.json('GET', '/api/assist/settings', { token: t.tokens.owner });
    expect(s.body).toMatchObject({ enabled: false, provider: null, keySet: false, timeoutMs: TIMEOUT_MS });
    const r = await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ enabled: false, keySet: true, from: { provider: 'settings' } });
    const out = await suggest();
    expect(out.body).toMatchObject({ engine: 'offline', notes: [] });
    expect(lp.requests).toHaveLength(0);
    expectKeyNowhere(r.body, out.body);
  });

  it('keeps the key write-only and encrypted in the vault; only an owner turns the model on', async () => {
    await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY });
    const rows = await rawRows<{ name: string; value: string }>(t.server.runtime.store, 'SELECT name, value FROM server_secrets');
    expect(rows.map((x) => x.name)).toContain('assist.ai.apiKey');
    expect(JSON.stringify(rows)).not.toContain(KEY);

    const byConsultant = await configure({ enabled: true }, t.tokens.consultant);
    expect(byConsultant.status).toBe(403);
    expect(byConsultant.body.error.message).toMatch(/only an owner/);
    for (const role of ['client', 'operator', 'viewer'] as const)
      expect((await t.json('GET', '/api/assist/settings', { token: t.tokens[role] })).status).toBe(403);

    const on = await configure({ enabled: true });
    expect(on.body).toMatchObject({ enabled: true, enabledBy: ADMIN.email });
    // A consultant pointing it elsewhere turns it off until an owner agrees to the new endpoint.
    const moved = await configure({ url: 'http://127.0.0.1:9/v1' }, t.tokens.consultant);
    expect(moved.body).toMatchObject({ enabled: false });
    expect(moved.body.notes[0]).toMatch(/turned off/);
    const bad = await configure({ url: 'ftp://models.example' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems[0].path).toBe('$.url');
    expectKeyNowhere(on.body, moved.body, (await t.json('GET', '/api/audit', { token: t.tokens.owner })).body);
  });

  it('openai-compatible: re-ranks the offline candidates, never sends personal data, sends the key only as the bearer token', async () => {
    const offline = await offlineTop();
    await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true });
    const r = await suggest();
    expect(r.status).toBe(200);
    expect(r.body.engine).toBe('model');
    expect(r.body.notes[0]).toMatch(/Re-ranked by llama3\.1:8b \(openai-compatible\)/);
    expect(lp.requests).toHaveLength(1);
    expect(lp.requests[0]?.path).toBe('/v1/chat/completions');
    expect(lp.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    const sent = JSON.parse(lp.requests[0]!.body);
    expect(sent).toMatchObject({ model: 'llama3.1:8b', response_format: { type: 'json_schema' } });
    expectNothingPersonal();
    // The loopback ranks the last candidate it was sent first: the model's order is what the API returns.
    const currency = r.body.targets.find((x: any) => x.target === 'currency');
    const sentCurrency = JSON.parse(/Targets and candidates \(JSON\):\n(.*)\n/.exec(sent.messages[1].content)![1]!).find((x: any) => x.target === 'currency');
    expect(currency.candidates[0].path).toBe(sentCurrency.candidates.at(-1).path);
    expect(currency.candidates[0].path).not.toBe(offline.targets.find((x: any) => x.target === 'currency').candidates[0].path);
    expect(currency.candidates[0].reason).toMatch(/^model: loopback rule: last candidate first for currency — offline: /);
    expect(currency.candidates).toHaveLength(3);
    expectKeyNowhere(r.body);
  });

  it('drops a path the model invents', async () => {
    await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true });
    lp.mode = 'invent';
    const r = await suggest();
    expect(r.body.engine).toBe('model');
    expect(JSON.stringify(r.body.targets)).not.toContain('passwordHash');
    expect(r.body.notes[1]).toMatch(/^Dropped \d+ path\(s\) the model named that were not among the candidates: .*order\.customer\.passwordHash/);
  });

  for (const [mode, note] of [
    ['malformed', /not the expected JSON/],
    ['wrong-shape', /not the expected JSON|did not fit/],
    ['error', /answered HTTP 500/],
    ['unauthorized', /answered HTTP 401/],
  ] as const) {
    it(`falls back to the offline suggestions with a note when the model's answer is ${mode}`, async () => {
      const offline = await offlineTop();
      await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true });
      lp.mode = mode;
      const r = await suggest();
      expect(r.status).toBe(200);
      expect(r.body.engine).toBe('offline');
      expect(r.body.notes[0]).toMatch(/^The language model was not used: /);
      expect(r.body.notes[0]).toMatch(note);
      expect(r.body.targets).toEqual(offline.targets);
      expectNothingPersonal();
      expectKeyNowhere(r.body);
    });
  }

  it('gives up on a slow model at the timeout and serves the offline suggestions', async () => {
    await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: true });
    lp.mode = 'slow';
    lp.delayMs = 10_000;
    const started = Date.now();
    const r = await suggest();
    const took = Date.now() - started;
    expect(r.body.engine).toBe('offline');
    expect(r.body.notes[0]).toMatch(/did not answer in time/);
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(took).toBeLessThan(TIMEOUT_MS + 4000);
  });

  // A current model gets Anthropic's structured outputs (`output_config.format`, JSON in a text block); a model the
  // SDK does not know gets the forced `json` tool (the answer is its tool_use input).
  for (const [model, asks] of [
    ['claude-sonnet-4-5', 'output_config'],
    ['claude-3-haiku-20240307', 'tools'],
  ] as const) {
    it(`anthropic (${model}): the messages contract via ${asks}, the key as x-api-key`, async () => {
      await configure({ provider: 'anthropic', url: lp.url, model, apiKey: KEY, enabled: true });
      const r = await suggest();
      expect(r.body.notes[0]).toMatch(new RegExp(`^Re-ranked by ${model.replace(/\./g, '\\.')} \\(anthropic\\)`));
      expect(r.body.engine).toBe('model');
      expect(lp.requests[0]?.path).toBe('/v1/messages');
      expect(Object.keys(JSON.parse(lp.requests[0]!.body))).toContain(asks);
      expect(lp.requests[0]?.headers['x-api-key']).toBe(KEY);
      expect(lp.requests[0]?.headers.authorization).toBeUndefined();
      expectNothingPersonal();
      lp.requests.length = 0;
      lp.mode = 'malformed';
      const bad = await suggest();
      expect(bad.body.engine).toBe('offline');
      expect(bad.body.notes[0]).toMatch(/not the expected JSON/);
      expectKeyNowhere(r.body, bad.body);
    });
  }

  it('shows exactly what would be sent, without sending it; the test button sends a probe without order data', async () => {
    await configure({ provider: 'openai-compatible', url: lp.url, model: 'llama3.1:8b', apiKey: KEY, enabled: false });
    const p = await t.json('POST', '/api/assist/settings/preview', { token: t.tokens.consultant, body: { sample } });
    expect(p.status).toBe(200);
    expect(p.body.url).toBe(`${lp.url}/chat/completions`);
    expect(p.body.body.messages[1].content).toMatch(/Targets and candidates/);
    const shown = JSON.stringify(p.body).toLowerCase();
    for (const x of PERSONAL) expect(shown).not.toContain(x.toLowerCase());
    expect(lp.requests).toHaveLength(0);

    const ok = await t.json('POST', '/api/assist/settings/test', { token: t.tokens.owner });
    expect(ok.body).toMatchObject({ ok: true, message: expect.stringMatching(/llama3\.1:8b answered in \d+ ms in the expected shape/) });
    expect(lp.requests).toHaveLength(1);
    expect(lp.requests[0]?.body).not.toMatch(/sample/);
    lp.mode = 'malformed';
    const bad = await t.json('POST', '/api/assist/settings/test', { token: t.tokens.owner });
    expect(bad.body).toMatchObject({ ok: false, message: expect.stringMatching(/not the expected JSON/) });
    expectKeyNowhere(p.body, ok.body, bad.body);
  });
});
