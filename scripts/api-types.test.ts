// The designer's API types are generated from the server's zod schemas; a stale checked-in copy would let a server
// change that breaks the designer still compile.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, renderApiTypes } from './api-types.ts';

describe('designer/src/api/openapi.d.ts', () => {
  it('is what the server publishes now', async () => {
    const fresh = await renderApiTypes();
    expect(fresh).toContain('"/api/flows/{id}": {');
    const current = readFileSync(API_TYPES_FILE, 'utf8');
    if (current !== fresh) throw new Error('designer/src/api/openapi.d.ts is stale: run `npm run api-types` and commit it');
  }, 60_000);
});
