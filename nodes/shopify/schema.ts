// Shopify's Admin GraphQL schema (2026-10) as a graphql-js schema, for validating our documents and for the sandbox store.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { ADMIN_SCHEMA_PATH, fetchAdminSchema } from '../../scripts/shopify/fetch-admin-schema.ts';

export const ADMIN_API_VERSION = '2026-10';

let cached: GraphQLSchema | undefined;

export function loadAdminSchema(): GraphQLSchema {
  if (cached) return cached;
  const path = fetchAdminSchema();
  const json = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
  const introspection = (json.data ?? json) as IntrospectionQuery;
  // assumeValid: the file is Shopify's own introspection; re-validating 3k types costs ~1 s per process.
  cached = buildClientSchema(introspection, { assumeValid: true });
  return cached;
}

export { ADMIN_SCHEMA_PATH };
