import { describe, expect, it } from 'vitest';
import { driftColumns, hourMs, lastMonths, ordersColumns, payoutColumns, percent, totals } from './series.ts';

describe('dashboard series', () => {
  it('turns hourly order counts into sorted seconds and counts', () => {
    expect(
      ordersColumns([
        { hour: '2026-11-27T05', orders: 3 },
        { hour: '2026-11-27T04:00:00.000Z', orders: 1 },
      ]),
    ).toEqual([
      [Date.UTC(2026, 10, 27, 4) / 1000, Date.UTC(2026, 10, 27, 5) / 1000],
      [1, 3],
    ]);
    expect(() => hourMs('yesterday')).toThrow('not an hour');
  });

  it('stacks payout statuses per month', () => {
    const cols = payoutColumns(
      [
        { month: '2026-10', payouts: 4, reconciled: 3, unbalanced: 1, waiting: 0 },
        { month: '2026-09', payouts: 2, reconciled: 1, unbalanced: 0, waiting: 1 },
      ],
      [],
    );
    expect(cols[0]).toEqual([Date.UTC(2026, 8, 1) / 1000, Date.UTC(2026, 9, 1) / 1000]);
    expect(cols.slice(1)).toEqual([
      [2, 4],
      [1, 4],
      [1, 3],
    ]);
  });

  it('spans the last twelve months, empty ones as zero, so one payout month does not stretch the axis over years', () => {
    expect(lastMonths(3, new Date('2026-01-15T00:00:00Z'))).toEqual(['2025-11', '2025-12', '2026-01']);
    const window = lastMonths(12, new Date('2026-12-04T00:00:00Z'));
    const cols = payoutColumns([{ month: '2026-12', payouts: 1, reconciled: 1, unbalanced: 0, waiting: 0 }], window);
    expect(cols[0]).toHaveLength(12);
    expect(cols[0][0]).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(cols[0][11]).toBe(Date.UTC(2026, 11, 1) / 1000);
    expect(cols[3]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('keeps drift in time order', () => {
    expect(
      driftColumns([
        { at: 2000, skus: 1, units: 5 },
        { at: 1000, skus: 2, units: 7 },
      ]),
    ).toEqual([
      [1, 2],
      [2, 1],
      [7, 5],
    ]);
  });

  it("spans the drift chart's window, so one check does not stretch the axis over years", () => {
    const day = 86_400_000;
    const to = Date.UTC(2026, 11, 6, 23, 0);
    const window = { from: to - 7 * day, to };
    const cols = driftColumns([{ at: to - day, skus: 36, units: 1793 }], window);
    expect(cols).toEqual([
      [(to - 7 * day) / 1000, (to - day) / 1000, to / 1000],
      [null, 36, null],
      [null, 1793, null],
    ]);
    // No check yet: the axis is still the week, with nothing on it.
    expect(driftColumns([], window)).toEqual([
      [(to - 7 * day) / 1000, to / 1000],
      [null, null],
      [null, null],
    ]);
  });

  it('sums flow health and formats rates without rounding failures away', () => {
    const f = (succeeded: number, failed: number, backlog: number) => ({
      flowId: 'f',
      name: 'f',
      active: true,
      lastRun: null,
      succeeded,
      failed,
      idle: 0,
      successRate: null,
      backlog,
    });
    expect(totals([f(999, 1, 2), f(0, 0, 3)])).toEqual({ runs: 1000, failed: 1, rate: 0.999, backlog: 5 });
    expect(percent(0.9999)).toBe('99.9 %');
    expect(percent(null)).toBe('—');
    expect(totals([]).rate).toBeNull();
  });
});
