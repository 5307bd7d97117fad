import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
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
    const view = s.sql({ webhookDigests });
    expect(await guard.seen('d1')).toBeUndefined();
    await view.tx(async () => {
      expect(await guard.claim('d1', 'shop1', 'orders/create', 'evt-1')).toBeUndefined(); // accepted, and kept
      expect(await guard.seen('d1')).toEqual({ eventId: 'evt-1', seenAt: clock.t }); // inside the event's transaction
    });
    clock.t += 47 * H;
    expect(await guard.claim('d1', 'shop1', 'orders/create', 'evt-1')).toBeUndefined(); // Shopify's own retry: the queue's to answer
    expect(await guard.claim('d1', 'shop1', 'orders/create', 'evt-2')).toEqual({ eventId: 'evt-1', seenAt: clock.t - 47 * H }); // a replay
    expect(await guard.seen('d1')).toMatchObject({ eventId: 'evt-1' }); // the replay changed nothing
    clock.t += 2 * H;
    expect(await guard.seen('d1')).toBeUndefined(); // past the window: a new delivery, not a replay
    expect(await guard.claim('d1', 'shop1', 'orders/create', 'evt-3')).toBeUndefined();
    expect(await guard.seen('d1')).toEqual({ eventId: 'evt-3', seenAt: clock.t });
  });

  it('keeps nothing a rolled-back transaction claimed, and prunes expired digests', async () => {
    const s = await fresh();
    const clock = { t: 1_800_000_000_000 };
    const guard = new ReplayGuard(s.store, () => clock.t);
    const view = s.sql({ webhookDigests });
    await guard.claim('old', 'shop1', 'orders/create', 'evt-old');
    await expect(
      view.tx(async () => {
        await guard.claim('d2', 'shop1', 'orders/create', 'evt-2');
        throw new Error('the event was not stored');
      }),
    ).rejects.toThrow(/not stored/);
    expect(await guard.seen('d2')).toBeUndefined();
    clock.t += 49 * H;
    await guard.claim('d3', 'shop1', 'orders/create', 'evt-3');
    const left = await view.db.select({ digest: view.tables.webhookDigests.digest }).from(view.tables.webhookDigests);
    expect(left.map((r) => r.digest)).toEqual(['d3']);
  });

  it('of one body claimed by several processes at once under new ids, exactly one is accepted', async () => {
    const first = await fresh();
    const handles = [first, ...(await Promise.all(Array.from({ length: 3 }, () => first.twin())))];
    const t = 1_800_000_000_000;
    const outcomes = await Promise.all(
      handles.map((h, i) => {
        const guard = new ReplayGuard(h.store, () => t);
        return h.sql({ webhookDigests }).tx(async () => {
          const replayOf = await guard.claim('same-body', 'shop1', 'orders/create', `evt-${i}`);
          await h.sql({ webhookDigests }).rows(sql`SELECT 1`); // the event's other writes
          return replayOf;
        });
      }),
    );
    const accepted = outcomes.filter((o) => o === undefined);
    expect(accepted).toHaveLength(1);
    const winner = `evt-${outcomes.indexOf(undefined)}`;
    expect(outcomes.filter(Boolean)).toEqual(Array.from({ length: 3 }, () => ({ eventId: winner, seenAt: t })));
  });

  if (kind.name === 'sqlite')
    it('the synchronous forms (the SQLite group commit’s) read and write the same digests', async () => {
      const s = await fresh();
      const clock = { t: 1_800_000_000_000 };
      const guard = new ReplayGuard(s.store, () => clock.t);
      const sqlite = (s.store as Store).sqlite;
      sqlite.transaction(() => guard.rememberSync('d1', 'shop1', 'orders/create', 'evt-1'))();
      expect(await guard.seen('d1')).toMatchObject({ eventId: 'evt-1' });
      expect(await guard.claim('d2', 'shop1', 'orders/create', 'evt-2')).toBeUndefined();
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
