import { describe, expect, it } from 'vitest';
import { AttemptWindow, HashGate } from './login-guard.ts';

describe('AttemptWindow', () => {
  it('counts an attempt from its reservation, so concurrent attempts cannot pass the limit', () => {
    let now = 0;
    const w = new AttemptWindow(3, 1000, () => now);
    expect([w.reserve('k'), w.reserve('k'), w.reserve('k')]).toEqual([0, 0, 0]);
    expect(w.reserve('k')).toBe(1000);
    w.release('k');
    expect(w.reserve('k')).toBe(0);
    now = 1001;
    expect(w.reserve('k')).toBe(0);
    w.clear('k');
    expect(w.reserve('other')).toBe(0);
  });
});

describe('HashGate', () => {
  it('runs at most N at once, refuses an address with too many waiting, and serves waiting addresses in turn', async () => {
    const gate = new HashGate(2, 4);
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const job = (name: string) => () =>
      new Promise<string>((ok) => {
        running++;
        peak = Math.max(peak, running);
        order.push(name);
        releases.push(() => {
          running--;
          ok(name);
        });
      });
    // One address floods: 2 run, 4 wait, the rest are refused at once with 429.
    const flood = Array.from({ length: 40 }, (_, i) => gate.run('attacker', job(`a${i}`)).catch((e: { status: number }) => e.status));
    await new Promise((r) => setImmediate(r));
    const refused = (await Promise.all(flood.slice(6))).filter((x) => x === 429);
    expect(refused).toHaveLength(34);
    // A real user from another address comes next in turn: after one attacker hash finishes, it runs.
    const real = gate.run('user', job('real'));
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(order.slice(0, 4)).toEqual(['a0', 'a1', 'a2', 'real']);
    while (releases.length) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await real).toBe('real');
    expect(peak).toBe(2);
    expect(gate.inFlight).toBe(0);
  });
});
