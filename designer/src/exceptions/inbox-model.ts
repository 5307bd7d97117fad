// What the exceptions inbox offers whom (mirrors server/exceptions/routes.ts permissions; the server enforces them)
// and how bulk results read.
import type { ExceptionAction, ExceptionItem } from '../api/exceptions.ts';
import type { Role } from '../api/types.ts';
import { can } from '../app/permissions.ts';

export function canTriage(role: Role | undefined): boolean {
  return can(role, 'exceptions.triage');
}

/** The actions that make sense for one exception in its state, for this role. */
export function actionsFor(item: Pick<ExceptionItem, 'state' | 'links' | 'retryable'>, role: Role | undefined): ExceptionAction[] {
  if (!canTriage(role) || item.state === 'resolved') return [];
  const out: ExceptionAction[] = [];
  if (item.state === 'open') out.push('acknowledge');
  out.push('assign', 'resolve');
  // A monitor's exception links the run that found it, which succeeded: retry would replay nothing.
  if (can(role, 'exceptions.retry') && (item.retryable ?? !!item.links.runId)) out.push('retry');
  return out;
}

/** Bulk actions offered for a selection: those valid for at least one selected item. */
export function bulkActionsFor(items: Array<Pick<ExceptionItem, 'state' | 'links' | 'retryable'>>, role: Role | undefined): ExceptionAction[] {
  const all: ExceptionAction[] = ['acknowledge', 'assign', 'resolve', 'retry'];
  return all.filter((a) => items.some((i) => actionsFor(i, role).includes(a)));
}

export function bulkSummary(action: ExceptionAction, results: Array<{ id: string; ok: boolean; error?: string }>): { text: string; bad: boolean } {
  const ok = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => !r.ok);
  const verb = { acknowledge: 'acknowledged', assign: 'assigned', resolve: 'resolved', retry: 'retried' }[action];
  let text = `${ok} of ${results.length} ${verb}.`;
  if (failed.length) text += ` Failed: ${failed.map((f) => `${f.id} (${f.error ?? 'error'})`).join('; ')}`;
  return { text, bad: failed.length > 0 };
}

/** Counts per owner and per type, for the inbox's filter chips. */
export function countBy<K extends 'owner' | 'type'>(items: ExceptionItem[], key: K): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i[key], (m.get(i[key]) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
