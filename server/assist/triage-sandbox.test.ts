// Triage on a real server in sandbox mode: the duplicate-sku scenario gives a second Shopify product an existing
// SKU and runs the stock flow now; its push sets every other level and fails naming the duplicate. The inbox's
// triage of that failure says it is the Shopify catalogue's, for ecommerce, with the listing to remove or merge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxServing, until, type SandboxServing } from '../testing/sandbox-serving.ts';

let srv: SandboxServing;
const call = <T = any>(method: string, path: string, body?: unknown) => srv.call<T>(method, path, srv.tokens.owner!, body);

beforeAll(async () => {
  srv = await sandboxServing('triage-sandbox', 'triage-sandbox-pw');
}, 120_000);

afterAll(() => srv?.close());

describe('triage of a sandbox scenario', () => {
  it('duplicate-sku: the failed stock push is a catalogue problem for ecommerce, naming the duplicate, with no retry offered', async () => {
    const sent = await call('POST', '/api/sandbox/events', { scenario: 'duplicate-sku' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const runId: string = sent.body.runs[0].runId;
    const run = await until(
      async () => {
        const r = (await call('GET', `/api/runs/${runId}`)).body;
        return r.status === 'failed' || r.status === 'succeeded' ? r : undefined;
      },
      'the stock push run',
      120_000,
    );
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'INVENTORY_PROBLEMS' });

    const ex = await until(async () => {
      const { body } = await call('GET', '/api/exceptions?type=failed-run&state=unresolved');
      return body.items.find((i: any) => i.links.runId === runId);
    }, 'the exception of the failed push');
    expect(ex.owner).toBe('ecommerce');
    // The sandbox catalogue plants other duplicates and an item not stocked; the new duplicate is named with them.
    expect(ex.detail).toMatch(/^The stock push named \d+ problem\(s\) it could not push; the rest of the stock was pushed \(\d+ level\(s\) set in Shopify/);
    expect(ex.title).toMatch(/^Stock push problems in inventory-to-shopify \/ push: \d+ duplicate SKUs \([^)]*TEE-M/);

    const { body } = await call('GET', `/api/assist/triage?ids=${ex.id}`);
    const t = body.triage[ex.id];
    expect(t).toMatchObject({ category: 'data-mapping', categoryLabel: 'Data mapping', action: { kind: 'open-run', params: { runId } } });
    expect(t.nextStep).toMatch(/^Remove or merge the duplicate Shopify listings .*so one variant sells each of SKU [^;]*\bTEE-M\b/);
    expect(t.nextStep).toContain('retrying before the data is fixed fails the same way');
    expect(t.nextStep).not.toMatch(/custom code/);
    const lines: string[] = t.explanation.split('\n');
    expect(lines[0]).toContain('the ecommerce team');
    expect(lines[0]).toMatch(/The rest of the stock was pushed: \d+ stock level\(s\) set in Shopify/);
    expect(lines).toContainEqual(expect.stringMatching(/^Duplicate SKU in Shopify \(more than one variant sells it\) \(\d+\):$/));
    expect(lines.find((l) => l.startsWith('• SKU TEE-M '))).toMatch(/is used by 2 Shopify variants: .*second listing/);
    expect(t.evidence.join(' | ')).not.toMatch(/code error/i);
  }, 180_000);
});
