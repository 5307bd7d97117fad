import { describe, expect, it } from 'vitest';
import { Leadership, leaseStore, type LeaseInfo, type LeaseStore } from './leases.ts';
import { freshStores, testStores } from './testing/stores.ts';

describe.each(testStores())('leases on $name', (kind) => {
  const fresh = freshStores(kind);

  /** Two connections to one store, as two processes would have, each with its own clock to move. */
  async function twoProcesses() {
    const a = await fresh();
    const b = await a.twin();
    const clock = { t: 1_000_000 };
    return { clock, a: leaseStore(a, () => clock.t), b: leaseStore(b, () => clock.t) };
  }

  describe('SqlLeaseStore', () => {
    it('gives the lease to one holder, renews it for that holder only, and lets another take it once expired', async () => {
      const { clock, a, b } = await twoProcesses();
      expect(await a.acquire('scheduler', 'A', 1000)).toBe(true);
      expect(await b.acquire('scheduler', 'B', 1000)).toBe(false);
      clock.t += 900;
      expect(await a.acquire('scheduler', 'A', 1000)).toBe(true); // renewed: now valid until +1900
      clock.t += 900;
      expect(await b.acquire('scheduler', 'B', 1000)).toBe(false);
      expect(await b.current('scheduler')).toEqual({ holder: 'A', expiresAt: 1_000_000 + 1900, term: 1 });
      clock.t += 100; // A's lease ends now
      expect(await b.acquire('scheduler', 'B', 1000)).toBe(true);
      expect(await a.acquire('scheduler', 'A', 1000)).toBe(false);
      expect(await a.current('scheduler')).toMatchObject({ holder: 'B', term: 2 });
      // Other names are other leases.
      expect(await a.acquire('other', 'A', 1000)).toBe(true);
    });

    it('release ends the lease at once, for its holder only', async () => {
      const { a, b } = await twoProcesses();
      expect(await a.acquire('scheduler', 'A', 60_000)).toBe(true);
      await b.release('scheduler', 'B'); // not B's to give up
      expect(await b.acquire('scheduler', 'B', 60_000)).toBe(false);
      await a.release('scheduler', 'A');
      expect(await b.acquire('scheduler', 'B', 60_000)).toBe(true);
      expect(await b.current('scheduler')).toMatchObject({ holder: 'B', term: 2 });
    });

    it('of many contenders at one moment exactly one wins', async () => {
      const first = await fresh();
      const handles = [first, ...(await Promise.all(Array.from({ length: 5 }, () => first.twin())))];
      const won = await Promise.all(handles.map((h, i) => leaseStore(h).acquire('scheduler', `P${i}`, 5000)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });

  /** A lease store that can freeze, like a process stopped by kill -STOP or killed: its calls never return. */
  function freezable(inner: LeaseStore) {
    let frozen = false;
    const never = new Promise<never>(() => {});
    const store: LeaseStore = {
      acquire: (...a) => (frozen ? never : inner.acquire(...a)),
      release: (...a) => (frozen ? never : inner.release(...a)),
      current: (...a) => (frozen ? never : inner.current(...a)),
    };
    return { store, freeze: () => (frozen = true) };
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  describe('Leadership', () => {
    it('one leader at a time; when it stops renewing another takes over within the lease, told whom it replaced', async () => {
      const sa = await fresh();
      const sb = await sa.twin();
      const fa = freezable(leaseStore(sa));
      const events: string[] = [];
      let gainedFrom: LeaseInfo | null | undefined;
      const ttlMs = 400;
      const a = new Leadership(fa.store, { name: 'scheduler', holder: 'A', ttlMs, onGain: () => void events.push('A+'), onLose: () => void events.push('A-') });
      const b = new Leadership(leaseStore(sb), {
        name: 'scheduler',
        holder: 'B',
        ttlMs,
        onGain: (prev) => {
          gainedFrom = prev;
          events.push('B+');
        },
        onLose: () => void events.push('B-'),
      });
      await a.start();
      await b.start();
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      await sleep(ttlMs * 2); // A renews throughout: B never gets it
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);

      fa.freeze();
      const frozenAt = Date.now();
      // B+ is recorded by onGain, which comes after isLeader turns true and the lease is read back.
      while (!events.includes('B+') && Date.now() - frozenAt < ttlMs * 5) await sleep(10);
      const tookMs = Date.now() - frozenAt;
      expect(b.isLeader).toBe(true);
      // Within the lease and one renewal interval of the last renewal A made.
      expect(tookMs).toBeLessThanOrEqual(ttlMs + ttlMs / 3 + 100);
      expect(gainedFrom).toMatchObject({ holder: 'A' });
      expect(events).toEqual(['A+', 'B+']);

      // A clean stop releases at once: a third process leads at its first try.
      await b.stop();
      expect(events).toEqual(['A+', 'B+', 'B-']);
      const sc = await sa.twin();
      const c = new Leadership(leaseStore(sc), {
        name: 'scheduler',
        holder: 'C',
        ttlMs: 60_000,
        onGain: () => void events.push('C+'),
        onLose: () => {},
      });
      await c.start();
      expect(c.isLeader).toBe(true);
      await c.stop();
    });

    it('a leader whose lease was taken while it stalled steps down at its next renewal', async () => {
      const s = await fresh();
      const clock = { t: 5_000_000 };
      const leases = leaseStore(s, () => clock.t);
      let lost = 0;
      const a = new Leadership(leases, { name: 'scheduler', holder: 'A', ttlMs: 1000, renewMs: 60_000, onGain: () => {}, onLose: () => void lost++ });
      await a.start();
      expect(a.isLeader).toBe(true);
      clock.t += 1500; // A stalled past its lease; B takes it
      expect(await leases.acquire('scheduler', 'B', 1000)).toBe(true);
      await a.tick();
      expect(a.isLeader).toBe(false);
      expect(lost).toBe(1);
      await a.stop();
      expect(await leases.current('scheduler')).toMatchObject({ holder: 'B' }); // A released nothing of B's
    });
  });
});
