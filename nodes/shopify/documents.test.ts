import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS } from './documents.ts';
import { loadAdminSchema } from './schema.ts';

describe('GraphQL documents against the 2026-10 Admin schema', () => {
  const schema = loadAdminSchema();
  for (const [name, doc] of Object.entries(DOCUMENTS)) {
    it(`${name} is valid`, () => {
      const errors = validate(schema, parse(doc));
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  }
  it('the validator catches a wrong field name', () => {
    const errors = validate(schema, parse('query { order(id: "gid://shopify/Order/1") { totalPriceSett { shopMoney { amount } } } }'));
    expect(errors[0]?.message).toMatch(/totalPriceSett/);
  });
});
