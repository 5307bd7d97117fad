// The audit as Markdown (for a ticket or an e-mail), HTML (a page to print) or JSON (for tools).
import type { AuditReport } from './audit.ts';

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function auditMarkdown(r: AuditReport): string {
  const s = r.summary;
  const out = [
    `# Integration audit`,
    '',
    `Generated ${r.generatedAt}. Checked ${s.variants} Shopify variants, ${s.orders} recent orders and ${s.flows} flows.`,
    '',
    s.findings ? `**${s.findings} findings**: ${s.high} high, ${s.medium} medium, ${s.low} low.` : '**No findings.**',
    '',
  ];
  if (s.findings) {
    out.push('| Severity | Owner | Finding | Subject | What is wrong | What to do |', '|---|---|---|---|---|---|');
    for (const f of r.findings) out.push(`| ${f.severity} | ${f.owner} | ${f.kind} | ${cell(f.subject)} | ${cell(f.message)} | ${cell(f.fix)} |`);
  }
  return out.join('\n') + '\n';
}

export function auditHtml(r: AuditReport): string {
  const rows = r.findings
    .map(
      (f) =>
        `<tr class="${f.severity}"><td>${f.severity}</td><td>${f.owner}</td><td>${esc(f.kind)}</td><td>${esc(f.subject)}</td><td>${esc(f.message)}</td><td>${esc(f.fix)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Integration audit</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}tr.high td:first-child{color:#b00;font-weight:bold}</style></head>
<body><h1>Integration audit</h1><p>Generated ${esc(r.generatedAt)}: ${r.summary.variants} variants, ${r.summary.orders} recent orders, ${r.summary.flows} flows; ${r.summary.findings} findings (${r.summary.high} high).</p>
${r.findings.length ? `<table><thead><tr><th>Severity</th><th>Owner</th><th>Finding</th><th>Subject</th><th>What is wrong</th><th>What to do</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : '<p>No findings.</p>'}
</body></html>\n`;
}

export function renderAudit(r: AuditReport, format: 'md' | 'html' | 'json'): string {
  return format === 'json' ? JSON.stringify(r, null, 2) + '\n' : format === 'html' ? auditHtml(r) : auditMarkdown(r);
}
