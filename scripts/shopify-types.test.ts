// The Admin GraphQL result types are generated from the schema on disk and the documents; a stale checked-in copy
// would let a document change (a field dropped, a nullable one added) compile against types it no longer matches.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHOPIFY_TYPES_FILE, renderShopifyTypes, shopifyOperations } from './shopify-types.ts';

describe('nodes/shopify/admin-types.generated.ts', () => {
  it('is what the documents and the Admin schema give now', async () => {
    const fresh = await renderShopifyTypes();
    // One result and one variables type per registered operation.
    for (const text of Object.values(shopifyOperations())) {
      const [, kind, name] = /^(query|mutation) (\w+)/.exec(text) ?? [];
      const suffix = kind === 'mutation' ? 'Mutation' : 'Query';
      expect(fresh).toContain(`export type ${name}${suffix} = `);
      expect(fresh).toContain(`export type ${name}${suffix}Variables = `);
    }
    const current = readFileSync(SHOPIFY_TYPES_FILE, 'utf8');
    if (current !== fresh) throw new Error('nodes/shopify/admin-types.generated.ts is stale: run `npm run shopify-types` and commit it');
  }, 120_000);
});
