import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../runtime/store/db.ts';
import { freshStores, testStores } from '../../runtime/testing/stores.ts';
import { webhookDigests } from '../db/schema.ts';
import { ReplayGuard, replayDigest } from './ingress-guards.ts';

const sign = (body: string, secret = 'shpss_a') => createHmac('sha256', secret).update(body).digest('base64');

describe('replayDigest', () => {
  it('is one digest per connection, topic and signed body, and another for any of them changed', () => {
    const d = replayDigest('shop1', 'orders/create', sign('{"id":1}'));
    expect(replayDigest('shop1', 'orders/create', sign('{"id":1}'))).toBe(d);
    const others = [
      replayDigest('shop1', 'orders/create', sign('{"id":2}')),
      replayDigest('shop1', 'orders/create', sign('{"id":1} ')),
      replayDigest('shop1', 'orders/updated', sign('{"id":1}')),
      replayDigest('shop2', 'orders/create', sign('{"id":1}')),
      // The separators keep the parts apart: ("shop1", "x") and ("shop", "1x") are not one digest.
      replayDigest('shop', '1orders/create', sign('{"id":1}')),
    ];
    expect(new Set([d, ...others]).size).toBe(others.length + 1);
  });
});

describe.each(testStores())('ReplayGuard on $name', (kind) => {
  const fresh = freshStores(kind);
  const H = 3_600_000;

  it('recognises a body accepted within 48 hours, under the event it was first accepted as, in the caller’s transaction', async () => {
    const s = await fresh();
    const clock = { t: 1_800_000_000_000 };
    const guard = new ReplayGuard(s.store, () => clock.t);
    const tx = s.sql({ webhookDigests });
    expect(await guard.seen('d1')).toBeUndefined();
    await tx.tx(async () => {
      await guard.remember('d1', 'shop1', 'orders/create', 'evt-1');
      expect(await guard.seen('d1')).toEqual({ eventId: 'evt-1', seenAt: clock.t }); // inside the event's transaction
    });
    clock.t += 47 * H;
    expect(await guard.seen('d1')).toMatchObject({ eventId: 'evt-1' });
    clock.t += 2 * H;
    expect(await guard.seen('d1')).toBeUndefined(); // past the window: a new delivery, not a replay
    // Accepted again: remembered under its new event.
    await guard.remember('d1', 'shop1', 'orders/create', 'evt-2');
    expect(await guard.seen('d1')).toMatchObject({ eventId: 'evt-2', seenAt: clock.t });
  });

  it('keeps nothing a rolled-back transaction remembered, and prunes expired digests', async () => {
    const s = await fresh();
    const clock = { t: 1_800_000_000_000 };
    const guard = new ReplayGuard(s.store, () => clock.t);
    const view = s.sql({ webhookDigests });
    await guard.remember('old', 'shop1', 'orders/create', 'evt-old');
    await expect(
      view.tx(async () => {
        await guard.remember('d2', 'shop1', 'orders/create', 'evt-2');
        throw new Error('the event was not stored');
      }),
    ).rejects.toThrow(/not stored/);
    expect(await guard.seen('d2')).toBeUndefined();
    clock.t += 49 * H;
    await guard.remember('d3', 'shop1', 'orders/create', 'evt-3');
    const left = await view.db.select({ digest: view.tables.webhookDigests.digest }).from(view.tables.webhookDigests);
    expect(left.map((r) => r.digest)).toEqual(['d3']);
  });

  if (kind.name === 'sqlite')
    it('the synchronous forms (the SQLite group commit’s) read and write the same digests', async () => {
      const s = await fresh();
      const clock = { t: 1_800_000_000_000 };
      const guard = new ReplayGuard(s.store, () => clock.t);
      const sqlite = (s.store as Store).sqlite;
      sqlite.transaction(() => guard.rememberSync('d1', 'shop1', 'orders/create', 'evt-1'))();
      expect(await guard.seen('d1')).toMatchObject({ eventId: 'evt-1' });
      await guard.remember('d2', 'shop1', 'orders/create', 'evt-2');
      expect(guard.seenSync('d2')).toMatchObject({ eventId: 'evt-2' });
      clock.t += 49 * 3_600_000;
      expect(guard.seenSync('d2')).toBeUndefined();
    });
  else
    it('has no synchronous forms on PostgreSQL', async () => {
      const guard = new ReplayGuard((await fresh()).store, Date.now);
      expect(() => guard.seenSync('d1')).toThrow(/SQLite/);
    });
});
