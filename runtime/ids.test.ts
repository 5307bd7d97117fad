import { describe, expect, it, vi } from 'vitest';
import { newId } from './ids.ts';

describe('newId', () => {
  it('keeps its shape: prefix, base-36 time, ten hex digits', () => {
    expect(newId('evt')).toMatch(/^evt_[0-9a-z]{9}[0-9a-f]{10}$/);
  });

  it('never repeats across many refills of the random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) seen.add(newId('run')); // 5,000 × 5 bytes: six 4 KB refills
    expect(seen.size).toBe(5_000);
    const tails = new Set([...seen].map((id) => id.slice(-10)));
    expect(tails.size).toBe(5_000);
  });

  it('sorts by creation time', () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const a = newId('run');
      vi.setSystemTime(1_700_000_000_001);
      const b = newId('run');
      expect(a < b).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
