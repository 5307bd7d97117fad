// Shopify's Admin GraphQL schema (2026-10) as a graphql-js schema, for validating our documents and for the sandbox store.
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { ADMIN_API_VERSION, ADMIN_SCHEMA_PATH } from './admin-schema-file.ts';
import { readLeanIntrospection } from './admin-schema-lean.ts';

export { ADMIN_API_VERSION, ADMIN_SCHEMA_PATH };

let cached: GraphQLSchema | undefined;

/**
 * The schema from the file fetched at install time, without descriptions (admin-schema-lean.ts); throws naming the file
 * and the fetch command when it is missing.
 */
export function loadAdminSchema(): GraphQLSchema {
  if (cached) return cached;
  const introspection = readLeanIntrospection() as unknown as IntrospectionQuery;
  // assumeValid: the file is Shopify's own introspection; re-validating 3k types costs ~1 s per process.
  cached = buildClientSchema(introspection, { assumeValid: true });
  return cached;
}
