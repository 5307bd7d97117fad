// The server's schema is built from the introspection without descriptions: it must be the same schema in every other
// respect (types, fields, arguments, defaults, deprecations), and the lean file must follow the fetched one.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildClientSchema, findBreakingChanges, findDangerousChanges, type IntrospectionQuery } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_SCHEMA_PATH, readAdminIntrospection } from './admin-schema-file.ts';
import { leanPathOf, readLeanIntrospection } from './admin-schema-lean.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-admin-lean-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const build = (i: { __schema: unknown }) => buildClientSchema(i as unknown as IntrospectionQuery, { assumeValid: true });

describe('the lean Admin introspection', () => {
  it("is Shopify's schema with nothing changed but the descriptions", () => {
    const full = build(readAdminIntrospection());
    const lean = build(readLeanIntrospection());
    expect(findBreakingChanges(full, lean)).toEqual([]);
    expect(findBreakingChanges(lean, full)).toEqual([]);
    expect(findDangerousChanges(full, lean)).toEqual([]);
    expect(findDangerousChanges(lean, full)).toEqual([]);
    expect(Object.keys(lean.getTypeMap()).sort()).toEqual(Object.keys(full.getTypeMap()).sort());
    // Deprecations are kept (the sandbox store and our document checks can still tell).
    expect(lean.getQueryType()!.getFields().orders!.args.length).toBe(full.getQueryType()!.getFields().orders!.args.length);
    const deprecated = (s: typeof full) =>
      Object.values(s.getTypeMap()).flatMap((t) =>
        'getFields' in t ? Object.values(t.getFields()).filter((f) => 'deprecationReason' in f && f.deprecationReason) : [],
      ).length;
    expect(deprecated(lean)).toBe(deprecated(full));
    expect(deprecated(lean)).toBeGreaterThan(0);
    // And the documentation is gone, which is the point.
    expect(full.getType('Order')!.description).toBeTruthy();
    expect(lean.getType('Order')!.description ?? undefined).toBeUndefined();
    const text = readFileSync(leanPathOf(ADMIN_SCHEMA_PATH), 'utf8');
    expect(text.includes('"description":') || text.includes('"requiredAccess":')).toBe(false);
  });

  it('is made again when the fetched file changes, is damaged or is missing', () => {
    const full = join(dir, 'admin_2026-10.json.gz');
    const lean = leanPathOf(full);
    expect(lean).toBe(join(dir, 'admin_2026-10.lean.json'));
    const introspection = (typeName: string) => ({
      __schema: { queryType: { name: typeName }, types: [{ kind: 'OBJECT', name: typeName, description: 'the root', fields: [], interfaces: [] }] },
    });
    writeFileSync(full, gzipSync(JSON.stringify({ data: introspection('QueryRoot') })));
    utimesSync(full, 1_000, 1_000);
    expect(readLeanIntrospection(full)).toEqual({
      __schema: { queryType: { name: 'QueryRoot' }, types: [{ kind: 'OBJECT', name: 'QueryRoot', fields: [], interfaces: [] }] },
    });
    expect(readFileSync(lean, 'utf8')).toContain('QueryRoot');

    // Fetched anew (another size and time): the lean copy follows.
    writeFileSync(full, gzipSync(JSON.stringify({ data: introspection('Root2') })));
    utimesSync(full, 2_000, 2_000);
    expect((readLeanIntrospection(full).__schema as { queryType: { name: string } }).queryType.name).toBe('Root2');

    writeFileSync(lean, '{"source": "cut sh');
    expect((readLeanIntrospection(full).__schema as { queryType: { name: string } }).queryType.name).toBe('Root2');
    expect(JSON.parse(readFileSync(lean, 'utf8')).__schema.queryType.name).toBe('Root2');

    rmSync(lean);
    expect((readLeanIntrospection(full).__schema as { queryType: { name: string } }).queryType.name).toBe('Root2');

    // The fetched file missing: its own error (naming it and the fetch command), not a stale lean copy.
    rmSync(full);
    expect(() => readLeanIntrospection(full)).toThrow(`${full} does not exist`);
  });
});
