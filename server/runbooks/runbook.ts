// A runbook for the people running the business, generated from a published flow: what it does, when, which system
// owns which data, its mappings and lookups as plain tables, what can go wrong (owner and triage), regular checks.
import cronstrue from 'cronstrue';
import { defaultsFor, EXCEPTION_DEFAULTS } from '../exceptions/store/defaults.ts';
import type { Field } from '../../nodes/core/mapping/config.ts';
import { esc } from '../integration-audit/render.ts';
import { EXTRA_EXCEPTIONS, STEP_MEANINGS } from './steps.ts';
import { triageTable } from '../assist/triage.ts';

export interface FlowDoc {
  id: string;
  name: string;
  description?: string;
  nodes: Array<{ id: string; type: string; name?: string; config?: Record<string, unknown> }>;
  edges: Array<{ source: string; target: string; sourceHandle?: string }>;
}

export interface Runbook {
  flowId: string;
  title: string;
  purpose: string;
  triggers: string[];
  steps: Array<{ name: string; does: string }>;
  ownership: Array<{ system: string; data: string; flow: 'reads' | 'writes' }>;
  mappings: Array<{ step: string; rows: Array<{ target: string; from: string }> }>;
  lookups: Array<{ table: string; usedBy: string; purpose: string; rows: Array<Record<string, string>> | null }>;
  exceptions: Array<{ type: string; owner: string; meaning: string; triage: string[] }>;
  /** The triage table of these exception types, from the same rules the product triages with (server/assist/triage.ts). */
  triage: ReturnType<typeof triageTable>;
  checks: { daily: string[]; weekly: string[]; monthEnd: string[] };
}

export interface RunbookDeps {
  /** Node type description, for types the runbook has no business sentence for. */
  describeType?: (type: string) => string | undefined;
  /** Rows of a lookup table as the flow sees it, or null if it does not exist. */
  tableRows?: (table: string, flowId: string) => Array<Record<string, string>> | null;
}

function plainSource(f: Field | { source: any }): string {
  const s = (f as Field).source;
  if (s.kind === 'path') return `Shopify field \`${s.path}\``;
  if (s.kind === 'const') return `always ${JSON.stringify(s.value)}`;
  if (s.kind === 'lookup')
    return `looked up in table "${s.table}" by ${
      typeof s.key === 'string'
        ? `\`${s.key}\``
        : Object.entries(s.key)
            .map(([k, v]) => `${k} = \`${v}\``)
            .join(', ')
    }`;
  if (s.kind === 'expr') return 'calculated by a formula (ask your consultant)';
  if (s.kind === 'each') return `one per element of \`${s.path}\`${s.filter?.length ? ' (filtered)' : ''}`;
  return 'see flow';
}

function flattenFields(fields: Field[], prefix = ''): Array<{ target: string; from: string }> {
  return fields.flatMap((f) => {
    const target = prefix ? `${prefix}[].${f.target}` : f.target;
    const ops = (f.transforms ?? []).map((t) => t.op).join(', ');
    const row = { target, from: plainSource(f) + (ops ? ` (then ${ops})` : '') + (f.description ? ` — ${f.description}` : '') };
    return f.source.kind === 'each' ? [row, ...flattenFields(f.source.fields as Field[], target)] : [row];
  });
}

function triggerText(n: FlowDoc['nodes'][number]): string {
  const c = n.config ?? {};
  if (n.type === 'trigger.schedule') {
    let human = String(c.cron);
    try {
      human = cronstrue.toString(String(c.cron), { use24HourTimeFormat: true });
    } catch {
      /* keep the cron text */
    }
    return `On a schedule: ${human} (${c.timezone ?? 'UTC'} time; cron \`${c.cron}\`).`;
  }
  if (n.type === 'shopify.trigger') return `When Shopify sends \`${c.topic}\`${c.mode && c.mode !== 'webhook' ? `, plus a catch-up sweep (${c.mode})` : ''}.`;
  if (n.type === 'trigger.webhook') return "When another system calls this flow's webhook URL.";
  if (n.type === 'trigger.manual') return 'Only when someone starts it by hand (Run button or CLI).';
  return `Started by ${n.type}.`;
}

export function buildRunbook(flow: FlowDoc, deps: RunbookDeps = {}): Runbook {
  const label = (n: FlowDoc['nodes'][number]) => n.name ?? n.id;
  const isTrigger = (t: string) => t.startsWith('trigger.') || t === 'shopify.trigger';
  const steps = flow.nodes
    .filter((n) => !isTrigger(n.type))
    .map((n) => ({ name: label(n), does: STEP_MEANINGS[n.type]?.does ?? deps.describeType?.(n.type) ?? n.type }));
  const ownership = new Map<string, Runbook['ownership'][number]>();
  for (const n of flow.nodes)
    for (const [system, data, dir] of STEP_MEANINGS[n.type]?.data ?? []) ownership.set(`${system}|${data}|${dir}`, { system, data, flow: dir });

  const mappings = flow.nodes
    .filter((n) => n.type === 'core.map' && Array.isArray(n.config?.fields))
    .map((n) => ({ step: label(n), rows: flattenFields(n.config!.fields as Field[]) }));
  const lookups: Runbook['lookups'] = [];
  const addTable = (table: string, usedBy: string, purpose: string) => {
    if (!lookups.some((l) => l.table === table && l.usedBy === usedBy))
      lookups.push({ table, usedBy, purpose, rows: deps.tableRows?.(table, flow.id) ?? null });
  };
  for (const n of flow.nodes) {
    if (n.type === 'lookup.tax-code') addTable(String(n.config?.table ?? 'tax-codes'), label(n), 'Shopify tax line → ERP tax code');
    if (n.type === 'lookup.location') addTable(String(n.config?.table ?? 'locations'), label(n), 'Shopify location → ERP warehouse');
    if (n.type === 'lookup.table' && n.config?.table) addTable(String(n.config.table), label(n), 'value lookup');
    if (n.type === 'core.map' && Array.isArray(n.config?.fields)) {
      const walk = (fs: Field[]) =>
        fs.forEach((f) => {
          if (f.source.kind === 'lookup') addTable(f.source.table, label(n), `fills ${f.target}`);
          if (f.source.kind === 'each') walk(f.source.fields as Field[]);
        });
      walk(n.config.fields as Field[]);
    }
  }

  const types = [...new Set(['failed-run', ...flow.nodes.flatMap((n) => STEP_MEANINGS[n.type]?.raises ?? [])])];
  const exceptions = types.map((t) => {
    const d = EXCEPTION_DEFAULTS[t] ?? EXTRA_EXCEPTIONS[t] ?? defaultsFor(t);
    return { type: t, owner: d.owner, meaning: d.meaning, triage: d.triage };
  });

  const has = (p: RegExp) => flow.nodes.some((n) => p.test(n.type));
  const checks: Runbook['checks'] = {
    daily: [
      'Open the exceptions inbox, filter on your team, and work the high-severity ones first.',
      `Check that "${flow.name}" ran today (Runs page) and that no run is stuck.`,
    ],
    weekly: [
      'Run the integration audit (`ledgerline audit`) and fix new unmapped values before they block orders.',
      'Review exceptions resolved with a note: recurring causes belong in a lookup table or the product data.',
    ],
    monthEnd: [],
  };
  if (has(/^finance\.reconcile-payouts$/)) {
    checks.daily.push(
      'Finance: every payout of the last days is "balanced" in the month-end view; a payout-variance exception means its journal was NOT posted.',
    );
    checks.monthEnd.push(
      'Download the month-end payout report (CSV) and confirm every payout is balanced and posted.',
      'The Shopify clearing account holds only payouts not yet deposited; the bank account matches the Shopify payouts report.',
      'Resolve every open payout exception before closing the period.',
    );
  }
  if (has(/^erp\.post-sales-order$/))
    checks.monthEnd.push('Orders in Shopify for the month = sales orders in the ERP (count and gross); no open orphaned-order exception.');
  if (has(/^erp\.post-credit-memo$/)) checks.monthEnd.push('Refunds in Shopify for the month = credit memos in the ERP; no refund left unposted.');
  if (has(/^(shopify\.inventory-push|erp\.read-stock)$/))
    checks.weekly.push('Spot-check five best sellers: Shopify available = ERP available less safety stock.');
  if (has(/^lookup\./) || mappings.length) checks.monthEnd.push('Review the lookup tables for rates, locations or gateways that changed this month.');
  if (!checks.monthEnd.length) checks.monthEnd.push('Confirm the exceptions inbox has nothing open for this flow.');

  const purpose = flow.description ?? `${steps.map((s) => s.does).join(' ')}`;
  return {
    flowId: flow.id,
    title: flow.name,
    purpose,
    triggers: flow.nodes.filter((n) => isTrigger(n.type)).map(triggerText),
    steps,
    ownership: [...ownership.values()],
    mappings,
    lookups,
    exceptions,
    triage: triageTable(types),
    checks,
  };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function runbookMarkdown(r: Runbook): string {
  const o: string[] = [
    `# Runbook: ${r.title}`,
    '',
    `Flow \`${r.flowId}\`.`,
    '',
    '## What it does',
    '',
    r.purpose,
    '',
    ...r.steps.map((s, i) => `${i + 1}. **${s.name}**: ${s.does}`),
    '',
    '## When it runs',
    '',
    ...r.triggers.map((t) => `- ${t}`),
    '',
    '## Which system owns which data',
    '',
    '| System | Data | This flow |',
    '|---|---|---|',
    ...r.ownership.map((x) => `| ${x.system} | ${x.data} | ${x.flow} |`),
    '',
  ];
  if (r.mappings.length) {
    o.push('## Mappings', '');
    for (const m of r.mappings)
      o.push(`### ${m.step}`, '', '| ERP field | Comes from |', '|---|---|', ...m.rows.map((x) => `| ${cell(x.target)} | ${cell(x.from)} |`), '');
  }
  if (r.lookups.length) {
    o.push('## Lookup tables', '');
    for (const l of r.lookups) {
      o.push(`### ${l.table}`, '', `${l.purpose}; used by ${l.usedBy}.`, '');
      if (!l.rows) o.push('_The table does not exist yet: every value will fail until it is created._', '');
      else if (!l.rows.length) o.push('_The table is empty._', '');
      else {
        const cols = Object.keys(l.rows[0]!);
        o.push(
          `| ${cols.join(' | ')} |`,
          `|${cols.map(() => '---').join('|')}|`,
          ...l.rows.map((row) => `| ${cols.map((c) => cell(row[c] ?? '')).join(' | ')} |`),
          '',
        );
      }
    }
  }
  o.push(
    '## When something goes wrong',
    '',
    '| Exception | Owner | What it means | What to do |',
    '|---|---|---|---|',
    ...r.exceptions.map((e) => `| ${e.type} | ${e.owner} | ${cell(e.meaning)} | ${e.triage.map((t, i) => `${i + 1}. ${cell(t)}`).join(' ')} |`),
    '',
    '## Triage: likely cause and next step',
    '',
    'The exceptions inbox shows the same category, explanation and next step for each exception.',
    '',
    '| Exception | Likely cause | What it usually means | Next step | Ledgerline can |',
    '|---|---|---|---|---|',
    ...r.triage.map((t) => `| ${t.type} | ${cell(t.category)} | ${cell(t.explanation)} | ${cell(t.nextStep)} | ${t.action} |`),
    '',
    '## Regular checks',
    '',
    '**Daily**',
    '',
    ...r.checks.daily.map((c) => `- ${c}`),
    '',
    '**Weekly**',
    '',
    ...r.checks.weekly.map((c) => `- ${c}`),
    '',
    '**Month-end close**',
    '',
    ...r.checks.monthEnd.map((c) => `- ${c}`),
    '',
  );
  return o.join('\n');
}

export function runbookHtml(r: Runbook): string {
  const table = (head: string[], rows: string[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const list = (xs: string[]) => `<ul>${xs.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Runbook: ${esc(r.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;margin-bottom:1rem}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}</style></head><body>
<h1>Runbook: ${esc(r.title)}</h1><h2>What it does</h2><p>${esc(r.purpose)}</p><ol>${r.steps.map((s) => `<li><b>${esc(s.name)}</b>: ${esc(s.does)}</li>`).join('')}</ol>
<h2>When it runs</h2>${list(r.triggers)}<h2>Which system owns which data</h2>${table(
    ['System', 'Data', 'This flow'],
    r.ownership.map((x) => [x.system, x.data, x.flow]),
  )}
${r.mappings
  .map(
    (m) =>
      `<h2>Mapping: ${esc(m.step)}</h2>${table(
        ['ERP field', 'Comes from'],
        m.rows.map((x) => [x.target, x.from]),
      )}`,
  )
  .join('')}
${r.lookups
  .map(
    (l) =>
      `<h2>Lookup table: ${esc(l.table)}</h2><p>${esc(l.purpose)}; used by ${esc(l.usedBy)}.</p>${
        l.rows?.length
          ? table(
              Object.keys(l.rows[0]!),
              l.rows.map((row) => Object.keys(l.rows![0]!).map((c) => row[c] ?? '')),
            )
          : `<p><i>${l.rows ? 'The table is empty.' : 'The table does not exist yet.'}</i></p>`
      }`,
  )
  .join('')}
<h2>When something goes wrong</h2>${table(
    ['Exception', 'Owner', 'What it means', 'What to do'],
    r.exceptions.map((e) => [e.type, e.owner, e.meaning, e.triage.map((t, i) => `${i + 1}. ${t}`).join(' ')]),
  )}
<h2>Triage: likely cause and next step</h2>${table(
    ['Exception', 'Likely cause', 'What it usually means', 'Next step', 'Ledgerline can'],
    r.triage.map((t) => [t.type, t.category, t.explanation, t.nextStep, t.action]),
  )}
<h2>Regular checks</h2><h3>Daily</h3>${list(r.checks.daily)}<h3>Weekly</h3>${list(r.checks.weekly)}<h3>Month-end close</h3>${list(r.checks.monthEnd)}
</body></html>\n`;
}
