import { describe, expect, it } from 'vitest';
import { CostLimiter } from './limiter.ts';

function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => (t += ms),
    sleeps,
  };
}

describe('CostLimiter', () => {
  it('lets requests through while the bucket holds their cost, then waits for the refill', async () => {
    const c = fakeClock();
    const l = new CostLimiter({ maximumAvailable: 100, restoreRate: 10, now: c.now, sleep: c.sleep });
    const a = await l.acquire(60);
    expect(c.sleeps).toEqual([]);
    l.settle(a, { maximumAvailable: 100, currentlyAvailable: 40, restoreRate: 10 });
    const b = await l.acquire(60); // 40 available -> wait 2 s for 20 points
    expect(c.sleeps).toEqual([2000]);
    l.settle(b, null);
    expect(Math.round(l.level.available)).toBe(0);
  });

  it('learns the plan from throttleStatus and credits refunds of actual cost', async () => {
    const c = fakeClock();
    const l = new CostLimiter({ now: c.now, sleep: c.sleep });
    const r = await l.acquire(500);
    l.settle(r, { maximumAvailable: 20000, currentlyAvailable: 19990, restoreRate: 1000 });
    expect(l.level).toMatchObject({ maximum: 20000, restoreRate: 1000, available: 19990, inFlight: 0 });
  });

  it('keeps in-flight reservations out of the level Shopify reports', async () => {
    const c = fakeClock();
    const l = new CostLimiter({ maximumAvailable: 1000, restoreRate: 50, now: c.now, sleep: c.sleep });
    const a = await l.acquire(300);
    const b = await l.acquire(300);
    l.settle(a, { maximumAvailable: 1000, currentlyAvailable: 700, restoreRate: 50 });
    expect(l.level.available).toBe(400);
    l.settle(b, { maximumAvailable: 1000, currentlyAvailable: 400, restoreRate: 50 });
    expect(l.level.available).toBe(400);
  });

  it('serves waiting callers in order and refuses more than 1000 points', async () => {
    const c = fakeClock();
    const l = new CostLimiter({ maximumAvailable: 100, restoreRate: 100, now: c.now, sleep: c.sleep });
    const order: number[] = [];
    await Promise.all([80, 50, 10].map((cost, i) => l.acquire(cost).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
    expect(c.sleeps).toEqual([300, 100]);
    expect(() => l.acquire(1001)).toThrow(/1000/);
  });

  it('reports levels to a callback for the metric', async () => {
    const levels: number[] = [];
    const c = fakeClock();
    const l = new CostLimiter({ maximumAvailable: 100, restoreRate: 10, now: c.now, sleep: c.sleep, onLevel: (x) => levels.push(x.available) });
    const r = await l.acquire(30);
    l.release(r);
    expect(levels).toEqual([70, 100]);
  });
});
