import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { freshStores, testStores, type TestStore } from '../../../runtime/testing/stores.ts';
import { LookupService, TABLE_PRESETS, LookupConflictError, LookupValidationError, LookupNotFoundError } from './index.ts';

describe.each(testStores())('lookup tables on $name', (kind) => {
  const fresh = freshStores(kind);
  let ts: TestStore;
  let svc: LookupService;

  beforeEach(async () => {
    ts = await fresh();
    svc = new LookupService(ts.store);
  });

  const exec = (text: string) => ts.sql({}).exec(sql.raw(text));
  /** A run for lookup_uses to point at (its rows go with the run). */
  const aRun = async (status: string) => {
    await exec(`INSERT INTO events (id, source, payload, received_at) VALUES ('e1', 'm', '{}', 0)`);
    await exec(`INSERT INTO runs (id, flow_id, flow_version, event_id, status, available_at, created_at) VALUES ('r1', 'f', 1, 'e1', '${status}', 0, 0)`);
  };

  const tax = (rows: Array<Record<string, string>> = []) => svc.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, rows);

  it('versions every edit and keeps old versions readable', async () => {
    await tax([{ title: 'VAT', rate: '0.2', taxCode: 'UK-STD' }]);
    const v2 = await svc.upsertRows({ name: 'tax-codes' }, [{ title: 'VAT', rate: '0.05', taxCode: 'UK-RED' }], { by: 'alice' });
    const v3 = await svc.upsertRows({ name: 'tax-codes' }, [{ title: 'vat', rate: '20%', taxCode: 'UK-STD2' }]);
    expect([v2.version, v3.version]).toEqual([2, 3]);
    // "vat"/"20%" is the same key as "VAT"/"0.2" (case-insensitive title, numeric rate): replaced, not added.
    expect((await svc.rows({ name: 'tax-codes' })).rows.map((r) => r.taxCode).sort()).toEqual(['UK-RED', 'UK-STD2']);
    expect((await svc.rows({ name: 'tax-codes' }, 1)).rows).toEqual([{ title: 'VAT', rate: '0.2', country: '', province: '', taxCode: 'UK-STD' }]);
    expect((await svc.versions({ name: 'tax-codes' })).map((v) => [v.version, v.rowCount, v.createdBy])).toEqual([
      [3, 2, null],
      [2, 2, 'alice'],
      [1, 1, null],
    ]);
    await svc.restore({ name: 'tax-codes' }, 1);
    expect(await svc.get({ name: 'tax-codes' })).toMatchObject({ version: 4, rowCount: 1 });
  });

  it('refuses a write based on a stale version', async () => {
    await tax();
    await svc.putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'A' }], { expectedVersion: 1 });
    await expect(svc.putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'B' }], { expectedVersion: 1 })).rejects.toThrow(LookupConflictError);
    expect((await svc.rows({ name: 'tax-codes' })).rows[0]?.taxCode).toBe('A');
  });

  it('of two edits at once from two connections based on one version, exactly one lands', async () => {
    await tax([{ title: 'VAT', taxCode: 'A' }]);
    const other = new LookupService((await ts.twin()).store);
    const tries = await Promise.allSettled([
      svc.putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'B' }], { expectedVersion: 1 }),
      other.putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'C' }], { expectedVersion: 1 }),
    ]);
    expect(tries.map((t) => t.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(tries.find((t) => t.status === 'rejected')?.reason).toBeInstanceOf(LookupConflictError);
    expect((await svc.get({ name: 'tax-codes' })).version).toBe(2);
  });

  it('two merges at once from two connections both land, one on top of the other', async () => {
    await tax([{ title: 'VAT', taxCode: 'A' }]);
    const other = new LookupService((await ts.twin()).store);
    await Promise.all([
      svc.upsertRows({ name: 'tax-codes' }, [{ title: 'GST', taxCode: 'G' }]),
      other.upsertRows({ name: 'tax-codes' }, [{ title: 'HST', taxCode: 'H' }]),
    ]);
    const now = await svc.rows({ name: 'tax-codes' });
    expect([now.version, now.rows.map((r) => r.taxCode).sort()]).toEqual([3, ['A', 'G', 'H']]);
  });

  it('creates a table once when two connections create it at once', async () => {
    const other = new LookupService((await ts.twin()).store);
    const def = { name: 'locations', ...TABLE_PRESETS.locations };
    const tries = await Promise.allSettled([svc.create(def, [{ location: '1', warehouse: 'A' }]), other.create(def, [{ location: '1', warehouse: 'B' }])]);
    expect(tries.map((t) => t.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(tries.find((t) => t.status === 'rejected')?.reason).toBeInstanceOf(LookupConflictError);
    expect(await svc.list()).toHaveLength(1);
  });

  it('names the row and column of every bad cell and refuses duplicate keys', async () => {
    await tax();
    try {
      await svc.putRows({ name: 'tax-codes' }, [
        { title: '', taxCode: 'X' },
        { title: 'VAT', rate: 'twenty', taxCode: 'Y' },
        { title: 'GST', colour: 'red', taxCode: 'Z' },
        { title: 'gst', taxCode: 'Z2' },
      ]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LookupValidationError);
      expect((e as LookupValidationError).problems).toEqual([
        { row: 1, column: 'title', message: expect.stringMatching(/key column is empty/) },
        { row: 2, column: 'rate', message: '"twenty" is not a number (e.g. 0.2 or 20%)' },
        { row: 3, column: 'colour', message: expect.stringMatching(/no such column/) },
        { row: 4, message: expect.stringMatching(/same key as row 3/) },
      ]);
    }
    expect((await svc.get({ name: 'tax-codes' })).version).toBe(1);
  });

  it('finds the most specific row; empty optional key cells match anything', async () => {
    await tax([
      { title: 'VAT', rate: '0.2', taxCode: 'STD' },
      { title: 'VAT', rate: '0.2', country: 'IE', taxCode: 'IE-STD' },
      { title: 'State Tax', rate: '0.06', country: 'US', province: 'KY', taxCode: 'KY' },
    ]);
    const s = await svc.snapshot('tax-codes');
    expect(s.find({ title: 'VAT', rate: '0.20', country: 'GB' })?.taxCode).toBe('STD');
    expect(s.find({ title: 'vat', rate: 0.2, country: 'ie' })?.taxCode).toBe('IE-STD');
    expect(s.find({ title: 'State Tax', rate: '0.06', country: 'US', province: 'KY' })?.taxCode).toBe('KY');
    expect(s.find({ title: 'State Tax', rate: '0.06', country: 'US', province: 'OH' })).toBeUndefined();
    expect(s.find({ title: 'VAT', rate: '0.05' })).toBeUndefined();
  });

  it('finds a table by index alone, without sorting (each lookup step of each order: the ORDER BY that chose it cost ≈ 20 µs)', async () => {
    if (ts.dialect !== 'sqlite') return; // the plan asked of SQLite; PostgreSQL runs the same statement
    await svc.create({ name: 'locations', ...TABLE_PRESETS.locations }, [{ location: '1', warehouse: 'SHARED' }]);
    const sqlite = (ts.store as { sqlite: import('better-sqlite3').Database }).sqlite;
    const texts: string[] = [];
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((text: string) => (texts.push(text), prepare(text))) as typeof sqlite.prepare;
    try {
      // A service opened now: on SQLite it prepares its statements when it opens.
      const opened = new LookupService(ts.store);
      await opened.snapshot('locations', { flowId: 'flow-a' });
      await opened.snapshot('locations');
    } finally {
      sqlite.prepare = prepare as typeof sqlite.prepare;
    }
    const reads = texts.filter((t) => t.includes('FROM lookup_tables'));
    expect(reads.length).toBeGreaterThan(0);
    for (const text of reads) {
      const params = Array.from(text.matchAll(/\?/g), () => null);
      const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      expect(plan.join('; ')).not.toMatch(/TEMP B-TREE|SCAN lookup_tables/);
    }
  });

  it('lets a flow table shadow a shared one of the same name', async () => {
    await svc.create({ name: 'locations', ...TABLE_PRESETS.locations }, [{ location: '1', warehouse: 'SHARED' }]);
    await svc.create({ name: 'locations', scope: 'flow-a', ...TABLE_PRESETS.locations }, [{ location: 'gid://shopify/Location/1', warehouse: 'A' }]);
    expect((await svc.snapshot('locations', { flowId: 'flow-a' })).find({ location: '1' })?.warehouse).toBe('A');
    expect((await svc.snapshot('locations', { flowId: 'flow-b' })).find({ location: 'gid://shopify/Location/1' })?.warehouse).toBe('SHARED');
    await expect(svc.snapshot('nope', { flowId: 'flow-a' })).rejects.toThrow(LookupNotFoundError);
    expect((await svc.list({ scope: 'flow-a' })).map((t) => t.name)).toEqual(['locations']);
    // Without a flow, the shared one; a flow's own table with no shared one of its name, only for that flow.
    expect((await svc.snapshot('locations')).find({ location: '1' })?.warehouse).toBe('SHARED');
    await svc.create({ name: 'only-a', scope: 'flow-a', ...TABLE_PRESETS.locations }, [{ location: '2', warehouse: 'A2' }]);
    expect((await svc.snapshot('only-a', { flowId: 'flow-a' })).find({ location: '2' })?.warehouse).toBe('A2');
    await expect(svc.snapshot('only-a', { flowId: 'flow-b' })).rejects.toThrow(LookupNotFoundError);
    await expect(svc.snapshot('only-a')).rejects.toThrow(LookupNotFoundError);
  });

  it('sees an edit made through another connection at once', async () => {
    await tax([{ title: 'VAT', taxCode: 'A' }]);
    const first = await svc.snapshot('tax-codes');
    expect(first.find({ title: 'VAT' })?.taxCode).toBe('A');
    expect(await svc.snapshot('tax-codes')).toBe(first); // unchanged: the cached snapshot
    await new LookupService((await ts.twin()).store).putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'B' }]);
    const s = await svc.snapshot('tax-codes');
    expect([s.version, s.find({ title: 'VAT' })?.taxCode]).toEqual([2, 'B']);
    expect(await svc.currentVersion(s.id)).toBe(2);
    expect(await svc.currentVersion(s.id + 1000)).toBeUndefined();
  });

  it('round-trips CSV, merges on import, and reports CSV problems by line', async () => {
    await tax([{ title: 'VAT', rate: '0.2', taxCode: 'STD' }]);
    const csv = 'title,rate,country,province,taxCode\n"VAT, reduced",5%,GB,,RED\nVAT,0.2,,,STD-NEW\n';
    await svc.importCsv({ name: 'tax-codes' }, csv, { mode: 'merge' });
    const rows = (await svc.rows({ name: 'tax-codes' })).rows;
    expect(rows).toEqual([
      { title: 'VAT', rate: '0.2', country: '', province: '', taxCode: 'STD-NEW' },
      { title: 'VAT, reduced', rate: '5%', country: 'GB', province: '', taxCode: 'RED' },
    ]);
    expect(await svc.exportCsv({ name: 'tax-codes' })).toBe('title,rate,country,province,taxCode\nVAT,0.2,,,STD-NEW\n"VAT, reduced",5%,GB,,RED\n');
    expect(await svc.exportCsv({ name: 'tax-codes' }, 1)).toBe('title,rate,country,province,taxCode\nVAT,0.2,,,STD\n');
    await expect(svc.importCsv({ name: 'tax-codes' }, 'title,taxCode\nVAT,A\n,B\n')).rejects.toThrow(/row 3 column "title": key column is empty/);
    await expect(svc.importCsv({ name: 'tax-codes' }, 'rate,taxCode\n0.2,A\n')).rejects.toThrow(/row 1 column "title": required key column missing/);
  });

  it('keeps a bounded history, except versions a run used', async () => {
    const small = new LookupService(ts.store, { keepVersions: 2 });
    const t = await small.create({ name: 'sku-overrides', ...TABLE_PRESETS['sku-overrides'] }, [{ sku: 'A', erpSku: '1' }]);
    await aRun('failed');
    await small.recordUse({ runId: 'r1', nodeId: 'n', tableId: t.id, version: 1 });
    for (let i = 2; i <= 5; i++) await small.putRows({ name: 'sku-overrides' }, [{ sku: 'A', erpSku: String(i) }]);
    expect((await small.versions({ name: 'sku-overrides' })).map((v) => v.version)).toEqual([5, 4, 1]);
    expect((await small.rows({ name: 'sku-overrides' }, 1)).rows[0]?.erpSku).toBe('1');
    await expect(small.rows({ name: 'sku-overrides' }, 2)).rejects.toThrow(LookupNotFoundError);
  });

  it('records the version a run used, once per step', async () => {
    const t = await tax([{ title: 'VAT', taxCode: 'A' }]);
    await aRun('succeeded');
    await svc.recordUse({ runId: 'r1', nodeId: 'tax', tableId: t.id, version: 1 });
    await svc.recordUse({ runId: 'r1', nodeId: 'tax', tableId: t.id, version: 1 }); // a retried step records it again
    expect(await svc.usesOfRun('r1')).toEqual([{ nodeId: 'tax', tableId: t.id, scope: 'shared', name: 'tax-codes', version: 1 }]);
  });

  it('records uses inside the transaction of the runtime step commit: none when it rolls back', async () => {
    const t = await tax([{ title: 'VAT', taxCode: 'A' }]);
    await aRun('succeeded');
    const uses = [
      { runId: 'r1', nodeId: 'tax', tableId: t.id, version: 1 },
      { runId: 'r1', nodeId: 'map', tableId: t.id, version: 1 },
    ];
    const { store } = ts;
    /** The uses written in a transaction of the store, which then commits or fails. */
    const land = (fail: boolean): Promise<void> => {
      const failing = () => {
        if (fail) throw new Error('the step commit failed');
      };
      if (store.dialect === 'sqlite')
        return store.exclusive(() => {
          svc.recordUsesInCommit.sqlite(uses);
          failing();
        });
      return ts.sql({}).tx(async () => {
        await svc.recordUsesInCommit.pg(uses);
        failing();
      });
    };
    await expect(land(true)).rejects.toThrow(/step commit failed/);
    expect(await svc.usesOfRun('r1')).toEqual([]);
    await land(false);
    await land(false); // a step landed again (a resumed run) records it again, once
    expect(await svc.usesOfRun('r1')).toEqual([
      { nodeId: 'map', tableId: t.id, scope: 'shared', name: 'tax-codes', version: 1 },
      { nodeId: 'tax', tableId: t.id, scope: 'shared', name: 'tax-codes', version: 1 },
    ]);
  });

  // Both stores' migrations remove a run's uses with the run (trigger lookup_uses_prune).
  it('forgets the versions a run used when the run is pruned', async () => {
    const t = await tax([{ title: 'VAT', taxCode: 'A' }]);
    await aRun('succeeded');
    await svc.recordUse({ runId: 'r1', nodeId: 'tax', tableId: t.id, version: 1 });
    for (const id of ['r2', 'r3']) {
      await exec(`INSERT INTO runs (id, flow_id, flow_version, event_id, status, available_at, created_at) VALUES ('${id}', 'f', 1, 'e1', 'succeeded', 0, 0)`);
      await svc.recordUse({ runId: id, nodeId: 'tax', tableId: t.id, version: 1 });
    }
    // Retention deletes runs several at a time: the uses of each go, those of a run kept stay.
    await exec(`DELETE FROM runs WHERE id IN ('r1', 'r2')`);
    expect(await svc.usesOfRun('r1')).toEqual([]);
    expect(await svc.usesOfRun('r2')).toEqual([]);
    expect(await svc.usesOfRun('r3')).toHaveLength(1);
  });
});
