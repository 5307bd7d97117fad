import { describe, expect, it } from 'vitest';
import { durationText, foldScheduled, replayMark, triggerText, type RunSummary } from './run-list-model.ts';

const run = (runId: string, flowId: string, status = 'succeeded'): RunSummary => ({
  runId,
  flowId,
  flowVersion: 1,
  eventId: 'e1',
  status,
  replayOf: null,
  error: null,
  createdAt: 0,
  startedAt: null,
  finishedAt: null,
});

describe('runs list', () => {
  it('computes durations from epoch numbers as well as ISO strings', () => {
    expect(durationText(1000 as unknown as string, 1250 as unknown as string)).toBe('250 ms');
    expect(durationText('2026-12-01T10:00:00Z', '2026-12-01T10:00:02.500Z')).toBe('2.5 s');
    expect(durationText(0 as unknown as string, 125_000 as unknown as string)).toBe('2 min 5 s');
    expect(durationText(null, 5 as unknown as string)).toBe('—');
  });

  it('folds runs of quiet schedules, never failures or other flows', () => {
    const runs = [
      run('1', 'orders'),
      run('2', 'ship'),
      run('3', 'ship', 'skipped'),
      run('4', 'ship'),
      run('5', 'ship', 'failed'),
      run('6', 'ship'),
      run('7', 'orders'),
    ];
    const rows = foldScheduled(runs, new Set(['ship']));
    expect(rows.map((r) => (r.kind === 'run' ? r.run.runId : `fold:${r.runs.map((x) => x.runId).join(',')}`))).toEqual(['1', 'fold:2,3,4', '5', '6', '7']);
    expect(foldScheduled(runs, new Set())).toHaveLength(7);
  });

  it('marks a replayed run: the replay that succeeded, else the newest replay and how it stands', () => {
    const replay = (runId: string, status: string) => ({ runId, status, createdAt: 0 });
    expect(replayMark(run('1', 'orders', 'failed'))).toBeNull();
    expect(replayMark({ replayedBy: [replay('3', 'succeeded'), replay('2', 'failed')], replaySucceededBy: '3' })).toMatchObject({
      state: 'succeeded',
      runId: '3',
      label: 'replayed ✓',
    });
    // Through a replay of its replay: the replay that succeeded is linked, not the one that failed.
    expect(replayMark({ replayedBy: [replay('2', 'failed')], replaySucceededBy: '3' })).toMatchObject({ state: 'succeeded', runId: '3' });
    expect(replayMark({ replayedBy: [replay('2', 'running')] })).toMatchObject({ state: 'pending', runId: '2', label: 'replaying…' });
    expect(replayMark({ replayedBy: [replay('4', 'failed'), replay('2', 'failed')] })).toMatchObject({
      state: 'failed',
      runId: '4',
      label: 'replay failed',
      title: 'Replayed by run 4, which failed (2 replays)',
    });
  });

  it('names what started a run: the Shopify topic, a sweep, a schedule, a manual run', () => {
    expect(triggerText({ source: 'shopify:sandbox-shop', topic: 'orders/create' })).toBe('orders/create');
    expect(triggerText({ source: 'sweep:order-to-erp', topic: 'orders/paid' })).toBe('orders/paid · sweep');
    expect(triggerText({ source: 'schedule', topic: 'schedule' })).toBe('schedule');
    expect(triggerText({ source: 'schedule', topic: 'run-now' })).toBe('run now');
    expect(triggerText({ source: 'manual', topic: null })).toBe('manual');
    expect(triggerText({ source: 'webhook:my-flow', topic: 'webhook' })).toBe('webhook');
    expect(triggerText(undefined)).toBe('');
  });
});
