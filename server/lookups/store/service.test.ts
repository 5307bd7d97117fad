import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../runtime/store/db.ts';
import { tempDir } from '../../../runtime/testing/fixtures.ts';
import { LookupService, TABLE_PRESETS, LookupConflictError, LookupValidationError, LookupNotFoundError } from './index.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
let svc: LookupService;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  svc = new LookupService(store);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const tax = (rows: Array<Record<string, string>> = []) => svc.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, rows);

describe('lookup tables', () => {
  it('versions every edit and keeps old versions readable', () => {
    tax([{ title: 'VAT', rate: '0.2', taxCode: 'UK-STD' }]);
    const v2 = svc.upsertRows({ name: 'tax-codes' }, [{ title: 'VAT', rate: '0.05', taxCode: 'UK-RED' }], { by: 'alice' });
    const v3 = svc.upsertRows({ name: 'tax-codes' }, [{ title: 'vat', rate: '20%', taxCode: 'UK-STD2' }]);
    expect([v2.version, v3.version]).toEqual([2, 3]);
    // "vat"/"20%" is the same key as "VAT"/"0.2" (case-insensitive title, numeric rate): replaced, not added.
    expect(
      svc
        .rows({ name: 'tax-codes' })
        .rows.map((r) => r.taxCode)
        .sort(),
    ).toEqual(['UK-RED', 'UK-STD2']);
    expect(svc.rows({ name: 'tax-codes' }, 1).rows).toEqual([{ title: 'VAT', rate: '0.2', country: '', province: '', taxCode: 'UK-STD' }]);
    expect(svc.versions({ name: 'tax-codes' }).map((v) => [v.version, v.rowCount, v.createdBy])).toEqual([
      [3, 2, null],
      [2, 2, 'alice'],
      [1, 1, null],
    ]);
    svc.restore({ name: 'tax-codes' }, 1);
    expect(svc.get({ name: 'tax-codes' })).toMatchObject({ version: 4, rowCount: 1 });
  });

  it('refuses a write based on a stale version', () => {
    tax();
    svc.putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'A' }], { expectedVersion: 1 });
    expect(() => svc.putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'B' }], { expectedVersion: 1 })).toThrow(LookupConflictError);
    expect(svc.rows({ name: 'tax-codes' }).rows[0]?.taxCode).toBe('A');
  });

  it('names the row and column of every bad cell and refuses duplicate keys', () => {
    tax();
    try {
      svc.putRows({ name: 'tax-codes' }, [
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
    expect(svc.get({ name: 'tax-codes' }).version).toBe(1);
  });

  it('finds the most specific row; empty optional key cells match anything', () => {
    tax([
      { title: 'VAT', rate: '0.2', taxCode: 'STD' },
      { title: 'VAT', rate: '0.2', country: 'IE', taxCode: 'IE-STD' },
      { title: 'State Tax', rate: '0.06', country: 'US', province: 'KY', taxCode: 'KY' },
    ]);
    const s = svc.snapshot('tax-codes');
    expect(s.find({ title: 'VAT', rate: '0.20', country: 'GB' })?.taxCode).toBe('STD');
    expect(s.find({ title: 'vat', rate: 0.2, country: 'ie' })?.taxCode).toBe('IE-STD');
    expect(s.find({ title: 'State Tax', rate: '0.06', country: 'US', province: 'KY' })?.taxCode).toBe('KY');
    expect(s.find({ title: 'State Tax', rate: '0.06', country: 'US', province: 'OH' })).toBeUndefined();
    expect(s.find({ title: 'VAT', rate: '0.05' })).toBeUndefined();
  });

  it('lets a flow table shadow a shared one of the same name', () => {
    svc.create({ name: 'locations', ...TABLE_PRESETS.locations }, [{ location: '1', warehouse: 'SHARED' }]);
    svc.create({ name: 'locations', scope: 'flow-a', ...TABLE_PRESETS.locations }, [{ location: 'gid://shopify/Location/1', warehouse: 'A' }]);
    expect(svc.snapshot('locations', { flowId: 'flow-a' }).find({ location: '1' })?.warehouse).toBe('A');
    expect(svc.snapshot('locations', { flowId: 'flow-b' }).find({ location: 'gid://shopify/Location/1' })?.warehouse).toBe('SHARED');
    expect(() => svc.snapshot('nope', { flowId: 'flow-a' })).toThrow(LookupNotFoundError);
    expect(svc.list({ scope: 'flow-a' }).map((t) => t.name)).toEqual(['locations']);
  });

  it('sees an edit made through another connection at once', () => {
    tax([{ title: 'VAT', taxCode: 'A' }]);
    expect(svc.snapshot('tax-codes').find({ title: 'VAT' })?.taxCode).toBe('A');
    const other = openStore(tmp.dir);
    new LookupService(other).putRows({ name: 'tax-codes' }, [{ title: 'VAT', taxCode: 'B' }]);
    other.close();
    const s = svc.snapshot('tax-codes');
    expect([s.version, s.find({ title: 'VAT' })?.taxCode]).toEqual([2, 'B']);
  });

  it('round-trips CSV, merges on import, and reports CSV problems by line', () => {
    tax([{ title: 'VAT', rate: '0.2', taxCode: 'STD' }]);
    const csv = 'title,rate,country,province,taxCode\n"VAT, reduced",5%,GB,,RED\nVAT,0.2,,,STD-NEW\n';
    svc.importCsv({ name: 'tax-codes' }, csv, { mode: 'merge' });
    const rows = svc.rows({ name: 'tax-codes' }).rows;
    expect(rows).toEqual([
      { title: 'VAT', rate: '0.2', country: '', province: '', taxCode: 'STD-NEW' },
      { title: 'VAT, reduced', rate: '5%', country: 'GB', province: '', taxCode: 'RED' },
    ]);
    expect(svc.exportCsv({ name: 'tax-codes' })).toBe('title,rate,country,province,taxCode\nVAT,0.2,,,STD-NEW\n"VAT, reduced",5%,GB,,RED\n');
    expect(svc.exportCsv({ name: 'tax-codes' }, 1)).toBe('title,rate,country,province,taxCode\nVAT,0.2,,,STD\n');
    expect(() => svc.importCsv({ name: 'tax-codes' }, 'title,taxCode\nVAT,A\n,B\n')).toThrow(/row 3 column "title": key column is empty/);
    expect(() => svc.importCsv({ name: 'tax-codes' }, 'rate,taxCode\n0.2,A\n')).toThrow(/row 1 column "title": required key column missing/);
  });

  it('keeps a bounded history, except versions a run used', () => {
    const small = new LookupService(store, { keepVersions: 2 });
    const t = small.create({ name: 'sku-overrides', ...TABLE_PRESETS['sku-overrides'] }, [{ sku: 'A', erpSku: '1' }]);
    store.sqlite.prepare(`INSERT INTO events (id, source, payload, received_at) VALUES ('e1', 'm', '{}', 0)`).run();
    store.sqlite
      .prepare(`INSERT INTO runs (id, flow_id, flow_version, event_id, status, available_at, created_at) VALUES ('r1', 'f', 1, 'e1', 'failed', 0, 0)`)
      .run();
    small.recordUse({ runId: 'r1', nodeId: 'n', tableId: t.id, version: 1 });
    for (let i = 2; i <= 5; i++) small.putRows({ name: 'sku-overrides' }, [{ sku: 'A', erpSku: String(i) }]);
    expect(small.versions({ name: 'sku-overrides' }).map((v) => v.version)).toEqual([5, 4, 1]);
    expect(small.rows({ name: 'sku-overrides' }, 1).rows[0]?.erpSku).toBe('1');
    expect(() => small.rows({ name: 'sku-overrides' }, 2)).toThrow(LookupNotFoundError);
  });

  it('records the version a run used and forgets it when the run is pruned', () => {
    const t = tax([{ title: 'VAT', taxCode: 'A' }]);
    store.sqlite.prepare(`INSERT INTO events (id, source, payload, received_at) VALUES ('e1', 'm', '{}', 0)`).run();
    store.sqlite
      .prepare(`INSERT INTO runs (id, flow_id, flow_version, event_id, status, available_at, created_at) VALUES ('r1', 'f', 1, 'e1', 'succeeded', 0, 0)`)
      .run();
    svc.recordUse({ runId: 'r1', nodeId: 'tax', tableId: t.id, version: 1 });
    expect(svc.usesOfRun('r1')).toEqual([{ nodeId: 'tax', tableId: t.id, scope: 'shared', name: 'tax-codes', version: 1 }]);
    store.sqlite.prepare(`DELETE FROM runs WHERE id = 'r1'`).run();
    expect(svc.usesOfRun('r1')).toEqual([]);
  });
});
