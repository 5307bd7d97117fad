import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXCEPTION_DEFAULTS } from '../exceptions/store/defaults.ts';
import { classifyFailedRun } from '../exceptions/store/classify.ts';
import type { ExceptionRecord } from '../exceptions/store/service.ts';
import type { RaiseException } from '../../runtime/node-api/exceptions.ts';
import type { RunRecord } from '../../runtime/runs.ts';
import { EXTRA_EXCEPTIONS } from '../runbooks/steps.ts';
import { FINANCE_EXCEPTION_TYPES } from '../exceptions/store/classify.ts';
import { buildRunbook, runbookMarkdown } from '../runbooks/runbook.ts';
import { TRIAGED_TYPES, triageException, triageTable } from './triage.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Exception types raised anywhere in the product's source: `type: 'some-type'` in nodes/, runtime/, server/ (tests aside). */
function raisedInSource(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) {
        if (f !== 'node_modules' && f !== 'assist') walk(p);
      } else if (f.endsWith('.ts') && !f.endsWith('.test.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\btype: '([a-z]+(?:-[a-z]+)+)'/g)) found.add(m[1]!);
      }
    }
  };
  for (const d of ['nodes', 'runtime', 'server']) walk(join(ROOT, d));
  return found;
}

const record = (r: RaiseException, over: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
  id: 'ex1',
  type: r.type,
  key: r.key,
  title: r.title,
  detail: r.detail ?? null,
  severity: 'high',
  owner: 'operations',
  assignee: null,
  state: 'open',
  autoResolved: false,
  resolutionNote: null,
  resolvedBy: null,
  count: 3,
  firstSeen: Date.UTC(2026, 11, 1),
  lastSeen: Date.UTC(2026, 11, 2),
  resolvedAt: null,
  links: r.links ?? {},
  data: r.data ?? null,
  alertedAt: null,
  ...over,
});

function failedRun(stepType: string, error: Record<string, unknown>): RunRecord {
  return {
    runId: 'run1',
    flowId: 'order-to-erp',
    flowVersion: 1,
    status: 'failed',
    keys: { shopifyOrderId: 'gid://shopify/Order/1' },
    steps: [{ nodeId: 'n1', type: stepType, status: 'failed' }],
    error: { nodeId: 'n1', ...error },
  } as unknown as RunRecord;
}

describe('triage rules', () => {
  it('cover every exception type the product registers or raises', () => {
    // The finance types are named by error code (classify.ts), not by a `type:` the scan below would find.
    const registered = new Set([...Object.keys(EXCEPTION_DEFAULTS), ...Object.keys(EXTRA_EXCEPTIONS), ...raisedInSource(), ...FINANCE_EXCEPTION_TYPES]);
    expect(registered.size).toBeGreaterThan(15);
    const uncovered = [...registered].filter((t) => !TRIAGED_TYPES.includes(t)).sort();
    expect(uncovered, 'exception types without a triage rule in server/assist/triage.ts').toEqual([]);
  });

  it('give each type a category, an explanation and a next step', () => {
    for (const row of triageTable()) {
      expect(row.category).toMatch(/^(Data mapping|Missing reference data|API limit or throttling|ERP \(or shop\) unavailable|Manual process|Code error)/);
      expect(row.explanation.length, row.type).toBeGreaterThan(30);
      expect(row.nextStep.length, row.type).toBeGreaterThan(20);
    }
  });

  const cases: Array<[string, string, Record<string, unknown>, string, string | null]> = [
    [
      'unmapped tax rate',
      'lookup.tax-code',
      {
        code: 'LOOKUP_MISSING',
        class: 'permanent',
        message: 'no row',
        details: { table: 'tax-codes', missing: [{ key: { title: 'Ohio Resort Tax', rate: '0.07' } }] },
      },
      'missing-reference-data',
      'add-lookup-row',
    ],
    [
      'ERP down',
      'erp.post-sales-order',
      { code: 'ERP_UNAVAILABLE', class: 'transient', message: 'connect ECONNREFUSED', details: { erp: 'tryton' } },
      'erp-unavailable',
      'retry',
    ],
    [
      'ERP throttling',
      'erp.post-sales-order',
      { code: 'RATE_LIMITED', class: 'transient', message: '429 Too Many Requests', details: { erp: 'business-central' } },
      'api-limit',
      'pause-flow',
    ],
    [
      'ERP validation',
      'erp.post-sales-order',
      { code: 'ERP_VALIDATION', class: 'permanent', message: 'field customerNumber is required', details: { erp: 'business-central' } },
      'data-mapping',
      'open-mapper',
    ],
    [
      'order edited after posting',
      'erp.check-order-edit',
      { code: 'ORDER_EDITED_AFTER_POSTING', class: 'permanent', message: 'edited after SO-1 was posted', details: {} },
      'manual-process',
      'retry',
    ],
    [
      'custom code bug',
      'core.code',
      { code: 'SANDBOX_ERROR', class: 'permanent', message: "TypeError: Cannot read properties of undefined (reading 'sku')", details: {} },
      'code-error',
      'open-mapper',
    ],
    [
      'a mapping left a required field empty',
      'core.map',
      { code: 'MAPPING_FAILED', class: 'permanent', message: 'lines[0].sku is empty (from sku)', details: {} },
      'data-mapping',
      'open-mapper',
    ],
    [
      'SKU missing',
      'erp.post-sales-order',
      { code: 'SKU_NOT_FOUND', class: 'permanent', message: 'SKU X not found', details: { skus: ['X'] } },
      'missing-reference-data',
      'retry',
    ],
  ];
  for (const [name, stepType, error, category, action] of cases) {
    it(`classifies a run failure: ${name}`, () => {
      const raised = classifyFailedRun(failedRun(stepType, error))!;
      const t = triageException(record(raised));
      expect({ category: t.category, action: t.action?.kind ?? null }).toEqual({ category, action });
      expect(t.evidence.join(' | ')).toContain(`exception type ${raised.type}`);
      if (error.code) expect(t.evidence.join(' | ')).toContain(String(error.code));
      expect(t.explanation.length).toBeGreaterThan(20);
      expect(t.nextStep.length).toBeGreaterThan(20);
    });
  }

  it('the unmapped-tax-rate action names the table to add the row to', () => {
    const raised = classifyFailedRun(failedRun('lookup.tax-code', cases[0]![2]))!;
    expect(triageException(record(raised)).action).toEqual({
      kind: 'add-lookup-row',
      label: 'Add the row to tax-codes',
      params: { table: 'tax-codes', exceptionId: 'ex1' },
    });
  });

  it('a kept delivery that is not JSON is brought over from Shopify, not replayed (it would read no better)', () => {
    const unreadable = triageException(
      record({
        type: 'unprocessable-event',
        key: 'shopify:shop:ev-1',
        title: 'A signed orders/paid delivery from shop.myshopify.com could not be read: nothing ran on it',
        data: { unreadable: true, eventId: 'evt_1', reason: 'the body is not JSON: Unexpected end of JSON input' },
      }),
    );
    expect(unreadable.nextStep).toMatch(/bring that change over from Shopify/);
    expect(unreadable.nextStep).not.toMatch(/replay/);
    const other = triageException(record({ type: 'unprocessable-event', key: 'k', title: 'An event the flow cannot take', data: { eventId: 'evt_2' } }));
    expect(other.nextStep).toMatch(/replay it/);
  });

  describe('a stock push stopped by catalogue problems (INVENTORY_PROBLEMS)', () => {
    const place = (n: number) => `ERP warehouse "WH${n}" (gid://shopify/Location/${n})`;
    const dup = (sku: string) => ({
      code: 'DUPLICATE_SKU',
      sku,
      message: `SKU ${sku} is used by 2 Shopify variants: Organic Cotton Tee - M, Organic Cotton Tee (second listing 3) - M`,
      details: { variants: ['Organic Cotton Tee - M', 'Organic Cotton Tee (second listing 3) - M'] },
    });
    const notStocked = (sku: string) => ({
      code: 'NOT_STOCKED',
      sku,
      locationId: 'gid://shopify/Location/2',
      message: `SKU ${sku} is not stocked at ${place(2)} in Shopify`,
      path: 'levels[4]',
    });
    const rejected = {
      code: 'SHOPIFY_REJECTED',
      sku: 'MUG-SAGE',
      locationId: 'gid://shopify/Location/1',
      message: `Shopify rejected SKU MUG-SAGE at ${place(1)} (per-call): INVALID_QUANTITY_TOO_HIGH: The quantity is too high`,
      details: { code: 'INVALID_QUANTITY_TOO_HIGH', via: 'per-call', entries: [] },
    };
    const unmapped = {
      code: 'UNMAPPED_LOCATION',
      sku: 'CAP-1',
      warehouse: 'WH9',
      message: 'levels[7]: ERP warehouse "WH9" has no Shopify location mapping',
      path: 'levels[7].warehouse',
    };
    const pushed = (n: number) => Array.from({ length: n }, (_, i) => ({ sku: `OK-${i}`, locationId: 'gid://shopify/Location/1', from: 1, to: 2 }));
    /** The inventory-to-shopify flow's push step failed as nodes/shopify/inventory-push.ts fails it. */
    const push = (problems: object[], pushedCount = 12, unchanged = 40) => {
      const run = failedRun('shopify.inventory-push', {
        nodeId: 'push',
        code: 'INVENTORY_PROBLEMS',
        class: 'permanent',
        message: `node push: ${problems.length} inventory problem(s): ${problems.map((p) => (p as { message: string }).message).join('; ')}`,
        details: { pushed: pushed(pushedCount), unchanged, problems, findings: [], conflicts: [] },
      });
      const raised = classifyFailedRun({
        ...run,
        flowId: 'inventory-to-shopify',
        steps: [{ nodeId: 'push', type: 'shopify.inventory-push', status: 'failed' }],
      } as RunRecord)!;
      return { raised, t: triageException(record(raised, { owner: raised.owner ?? 'operations' })) };
    };

    it('a duplicate SKU alone: a catalogue problem for ecommerce, the listing to remove or merge, the rest pushed, no retry offered', () => {
      const { raised, t } = push([dup('TEE-M')]);
      expect(raised).toMatchObject({
        type: 'failed-run',
        key: 'inventory-to-shopify / push:INVENTORY_PROBLEMS',
        owner: 'ecommerce',
        title: 'Stock push problems in inventory-to-shopify / push: duplicate SKU TEE-M',
        detail:
          'The stock push named 1 problem(s) it could not push; the rest of the stock was pushed (12 level(s) set in Shopify, 40 already right). Each is listed, one a line, in the triage and in the failed run.',
      });
      expect(t.category).toBe('data-mapping');
      expect(t.categoryLabel).toBe('Data mapping');
      expect(t.action).toEqual({ kind: 'open-run', label: 'Open the failed stock push', params: { runId: 'run1' } });
      expect(t.nextStep).toMatch(
        /^Remove or merge the duplicate Shopify listing \(or give each Shopify variant its own SKU\) so one variant sells SKU TEE-M\./,
      );
      expect(t.nextStep).toContain('retrying before the data is fixed fails the same way');
      expect(t.nextStep).not.toMatch(/custom code|consultant/);
      expect(t.explanation).toMatch(
        /^The stock push could not set the stock of SKU TEE-M in Shopify because of the Shopify catalogue's data, not a fault in the flow: a case for the ecommerce team/,
      );
      expect(t.explanation).toContain('The rest of the stock was pushed: 12 stock level(s) set in Shopify, 40 already right.');
      expect(t.explanation.split('\n').slice(1)).toEqual([
        'Duplicate SKU in Shopify (more than one variant sells it) (1):',
        '• SKU TEE-M is used by 2 Shopify variants: Organic Cotton Tee - M, Organic Cotton Tee (second listing 3) - M',
      ]);
      expect(t.evidence).toContain('the stock push named 1 problem(s): 1 DUPLICATE_SKU; 12 level(s) pushed, 40 unchanged');
      expect(t.evidence.join(' | ')).not.toMatch(/code error/i);
    });

    it('mixed problems: one line each, grouped by kind (duplicates first), a fix per kind naming its SKUs', () => {
      const { raised, t } = push([notStocked('WRAP-01'), rejected, dup('TEE-M'), unmapped, notStocked('WRAP-02')], 3, 0);
      expect(raised.owner).toBe('ecommerce');
      expect(raised.title).toBe(
        'Stock push problems in inventory-to-shopify / push: duplicate SKU TEE-M; 2 SKU-locations not stocked (WRAP-01, WRAP-02); SKU MUG-SAGE rejected by Shopify; ERP warehouse "WH9" not mapped',
      );
      expect(t.category).toBe('data-mapping');
      expect(t.action?.kind).toBe('open-run');
      expect(t.explanation.split('\n')).toEqual([
        "The stock push could not set the stock of 5 SKUs in Shopify because of the Shopify catalogue's data, not a fault in the flow: a case for the ecommerce team, who keep the Shopify catalogue. The rest of the stock was pushed: 3 stock level(s) set in Shopify.",
        'Duplicate SKU in Shopify (more than one variant sells it) (1):',
        '• SKU TEE-M is used by 2 Shopify variants: Organic Cotton Tee - M, Organic Cotton Tee (second listing 3) - M',
        'Not stocked at the location in Shopify (2):',
        '• SKU WRAP-01 is not stocked at ERP warehouse "WH2" (gid://shopify/Location/2) in Shopify',
        '• SKU WRAP-02 is not stocked at ERP warehouse "WH2" (gid://shopify/Location/2) in Shopify',
        'Rejected by Shopify (1):',
        '• Shopify rejected SKU MUG-SAGE at ERP warehouse "WH1" (gid://shopify/Location/1) (per-call): INVALID_QUANTITY_TOO_HIGH: The quantity is too high',
        'ERP warehouse with no Shopify location (1):',
        '• SKU CAP-1: ERP warehouse "WH9" has no Shopify location mapping',
      ]);
      expect(t.nextStep).toBe(
        'Remove or merge the duplicate Shopify listing (or give each Shopify variant its own SKU) so one variant sells SKU TEE-M; ' +
          'stock SKU WRAP-01, WRAP-02 at those locations in Shopify or unmap the warehouses; ' +
          'correct SKU MUG-SAGE in Shopify for the reason Shopify gave (INVALID_QUANTITY_TOO_HIGH); ' +
          'add ERP warehouse "WH9" to the locations mapping of the push step (or stop reading it from the ERP), then publish. ' +
          'Then retry, or let the next stock push set them; retrying before the data is fixed fails the same way.',
      );
      expect(push([notStocked('WRAP-01'), notStocked('WRAP-01')]).raised.title).toBe(
        'Stock push problems in inventory-to-shopify / push: SKU WRAP-01 not stocked at 2 locations',
      );
      // Only an unmapped warehouse: the flow's own reference data, for operations.
      const only = push([unmapped]);
      expect(only.raised.owner).toBeUndefined();
      expect(only.t.category).toBe('missing-reference-data');
      expect(only.t.nextStep).toMatch(/^Add ERP warehouse "WH9" to the locations mapping of the push step/);
    });

    it('many problems: at most ten lines, every kind shown, the rest counted', () => {
      const dups = Array.from({ length: 14 }, (_, i) => dup(`DUP-${i}`));
      const nots = Array.from({ length: 30 }, (_, i) => notStocked(`NS-${i}`));
      const { raised, t } = push([...nots, ...dups], 0, 0);
      expect(raised.title).toBe(
        'Stock push problems in inventory-to-shopify / push: 14 duplicate SKUs (DUP-0, DUP-1, DUP-2, …); 30 SKU-locations not stocked (NS-0, NS-1, NS-2, …)',
      );
      const lines = t.explanation.split('\n');
      expect(lines[0]).toContain('could not set the stock of 44 SKUs');
      expect(lines[0]).toContain('No other stock level needed pushing.');
      expect(lines.filter((l) => /^• SKU /.test(l))).toHaveLength(10);
      expect(lines.slice(1)).toEqual([
        'Duplicate SKU in Shopify (more than one variant sells it) (14):',
        ...[0, 1, 2, 3, 4].map((i) => expect.stringMatching(new RegExp(`^• SKU DUP-${i} is used by 2 Shopify variants`))),
        '• …and 9 more',
        'Not stocked at the location in Shopify (30):',
        ...[0, 1, 2, 3, 4].map((i) => `• SKU NS-${i} is not stocked at ERP warehouse "WH2" (gid://shopify/Location/2) in Shopify`),
        '• …and 25 more',
      ]);
      expect(t.nextStep).toMatch(
        /^Remove or merge the duplicate Shopify listings .* so one variant sells each of SKU DUP-0, DUP-1, DUP-2, DUP-3, DUP-4 and 9 more; /,
      );
      expect(t.nextStep).toContain('stock SKU NS-0, NS-1, NS-2, NS-3, NS-4 and 25 more at those locations in Shopify');
    });
  });

  it('the runbook prints the triage table from the same rules', () => {
    const flow = JSON.parse(readFileSync(join(ROOT, 'flows/templates/order-to-erp.json'), 'utf8'));
    const md = runbookMarkdown(buildRunbook(flow));
    expect(md).toContain('## Triage: likely cause and next step');
    for (const row of triageTable(['unmapped-tax-code', 'erp-unreachable'])) {
      expect(md).toContain(`| ${row.type} | ${row.category} | ${row.explanation.replace(/\|/g, '\\|')} | ${row.nextStep} | ${row.action} |`);
    }
  });
});
