// The Admin schema is fetched at install time only: at run time a missing or damaged file is a clear error that names
// the file and the command to fetch it, and nothing is downloaded.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_SCHEMA_PATH, FETCH_COMMAND, readAdminIntrospection } from './admin-schema-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-admin-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Admin schema file', () => {
  it('missing: an error naming the file and the fetch command, and nothing fetched into its folder', () => {
    const path = join(dir, 'admin_2026-10.json.gz');
    expect(() => readAdminIntrospection(path)).toThrow(`${path} does not exist`);
    expect(() => readAdminIntrospection(path)).toThrow(FETCH_COMMAND);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('damaged or not an introspection result: an error saying so, with the command to fetch it again', () => {
    const garbage = join(dir, 'garbage.json.gz');
    writeFileSync(garbage, 'not gzip');
    expect(() => readAdminIntrospection(garbage)).toThrow(/garbage\.json\.gz cannot be read .*--force/);
    const other = join(dir, 'other.json.gz');
    writeFileSync(other, gzipSync(JSON.stringify({ data: { shop: {} } })));
    expect(() => readAdminIntrospection(other)).toThrow(/holds no introspection result/);
  });

  it('reads the file fetched at install time (both the bare and the `data`-wrapped form)', () => {
    const wrapped = join(dir, 'wrapped.json.gz');
    writeFileSync(wrapped, gzipSync(JSON.stringify({ data: { __schema: { types: [{ name: 'Order' }] } } })));
    expect(readAdminIntrospection(wrapped).__schema).toEqual({ types: [{ name: 'Order' }] });
    expect(existsSync(ADMIN_SCHEMA_PATH)).toBe(true);
    const types = (readAdminIntrospection().__schema as { types: Array<{ name: string }> }).types;
    expect(types.some((t) => t.name === 'Order')).toBe(true);
  });
});
