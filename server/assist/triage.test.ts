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
    const registered = new Set([...Object.keys(EXCEPTION_DEFAULTS), ...Object.keys(EXTRA_EXCEPTIONS), ...raisedInSource()]);
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

  it('the runbook prints the triage table from the same rules', () => {
    const flow = JSON.parse(readFileSync(join(ROOT, 'flows/templates/order-to-erp.json'), 'utf8'));
    const md = runbookMarkdown(buildRunbook(flow));
    expect(md).toContain('## Triage: likely cause and next step');
    for (const row of triageTable(['unmapped-tax-code', 'erp-unreachable'])) {
      expect(md).toContain(`| ${row.type} | ${row.category} | ${row.explanation.replace(/\|/g, '\\|')} | ${row.nextStep} | ${row.action} |`);
    }
  });
});
