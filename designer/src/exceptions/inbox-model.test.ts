import { describe, expect, it } from 'vitest';
import type { ExceptionItem } from '../api/exceptions.ts';
import { bodyFor } from '../api/exceptions.ts';
import { actionsFor, ago, bulkActionsFor, bulkSummary, canTriage, countBy } from './inbox-model.ts';

const item = (over: Partial<ExceptionItem>): ExceptionItem => ({
  id: 'exc_1',
  type: 'run-failed',
  key: 'k',
  title: 't',
  detail: null,
  severity: 'high',
  owner: 'operations',
  assignee: null,
  state: 'open',
  autoResolved: false,
  resolutionNote: null,
  resolvedBy: null,
  count: 1,
  firstSeen: 0,
  lastSeen: 0,
  resolvedAt: null,
  links: {},
  data: null,
  alertedAt: null,
  ...over,
});

describe('exceptions inbox model', () => {
  it('offers actions by state and role', () => {
    expect(actionsFor(item({ links: { runId: 'r1' } }), 'operator')).toEqual(['acknowledge', 'assign', 'resolve', 'retry']);
    expect(actionsFor(item({ state: 'acknowledged', links: { runId: 'r1' } }), 'owner')).toEqual(['assign', 'resolve', 'retry']);
    expect(actionsFor(item({}), 'client')).toEqual([]);
    expect(actionsFor(item({}), 'viewer')).toEqual([]);
    expect(actionsFor(item({ state: 'resolved' }), 'owner')).toEqual([]);
    // Retry needs a run to replay.
    expect(actionsFor(item({}), 'owner')).not.toContain('retry');
    // A monitor's exception links the run that found it, which succeeded: nothing to retry.
    expect(actionsFor(item({ links: { runId: 'r1' }, retryable: false }), 'owner')).not.toContain('retry');
    expect(actionsFor(item({ links: { runId: 'r1' }, retryable: true }), 'operator')).toContain('retry');
    expect(canTriage('client')).toBe(false);
    expect(bulkActionsFor([item({ state: 'acknowledged' }), item({ links: { runId: 'r' } })], 'consultant')).toEqual([
      'acknowledge',
      'assign',
      'resolve',
      'retry',
    ]);
    expect(bulkActionsFor([item({ state: 'acknowledged' })], 'consultant')).toEqual(['assign', 'resolve']);
  });

  it('summarises bulk results, naming the failures', () => {
    expect(
      bulkSummary('resolve', [
        { id: 'a', ok: true },
        { id: 'b', ok: true },
      ]),
    ).toEqual({ text: '2 of 2 resolved.', bad: false });
    expect(
      bulkSummary('retry', [
        { id: 'a', ok: true },
        { id: 'b', ok: false, error: 'nothing to retry' },
      ]),
    ).toEqual({ text: '1 of 2 retried. Failed: b (nothing to retry)', bad: true });
  });

  it('counts by owner and type, largest first', () => {
    const items = [item({ owner: 'finance', type: 'payout' }), item({ owner: 'operations' }), item({ owner: 'operations' })];
    expect(countBy(items, 'owner')).toEqual([
      ['operations', 2],
      ['finance', 1],
    ]);
    expect(countBy(items, 'type')).toEqual([
      ['run-failed', 2],
      ['payout', 1],
    ]);
  });

  it('sends each action only the fields its strict body accepts', () => {
    expect(bodyFor('acknowledge', { note: '', assignee: 'x' })).toEqual({});
    expect(bodyFor('assign', { assignee: null, note: 'n' })).toEqual({ assignee: null, note: 'n' });
    expect(bodyFor('resolve', { note: 'fixed', owner: 'finance' })).toEqual({ note: 'fixed' });
    expect(bodyFor('retry', { note: 'x' })).toEqual({});
  });

  it('says how long ago', () => {
    expect(ago(0, 30_000)).toBe('30s ago');
    expect(ago(0, 3 * 3600_000)).toBe('3 h ago');
    expect(ago(0, 3 * 86400_000)).toBe('3 d ago');
  });
});
