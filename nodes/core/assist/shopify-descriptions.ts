// Field descriptions Shopify publishes in its Admin GraphQL schema (the introspection already on disk for
// validation, nodes/shopify/schema.ts). Read straight from the JSON: building a graphql-js schema costs ~1 s.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fetchAdminSchema } from '../../../scripts/shopify/fetch-admin-schema.ts';

interface IntroField { name: string; description?: string | null }
interface IntroType { name: string; fields?: IntroField[] | null }

let cached: Map<string, Map<string, string>> | undefined;

/** type name -> field name -> description. Empty when the schema file cannot be read (the suggester then uses names only). */
export function adminDescriptions(): Map<string, Map<string, string>> {
  if (cached) return cached;
  cached = new Map();
  try {
    const json = JSON.parse(gunzipSync(readFileSync(fetchAdminSchema())).toString('utf8')) as { data?: { __schema: { types: IntroType[] } }; __schema?: { types: IntroType[] } };
    const types = (json.data ?? json).__schema?.types ?? [];
    for (const t of types) {
      if (!t.fields) continue;
      cached.set(t.name, new Map(t.fields.map((f) => [f.name, (f.description ?? '').replace(/\s+/g, ' ').trim()])));
    }
  } catch {
    // Offline without the cache: names and types still rank candidates; descriptions only sharpen them.
  }
  return cached;
}

export function adminDescription(type: string, field: string): string | undefined {
  return adminDescriptions().get(type)?.get(field) || undefined;
}
