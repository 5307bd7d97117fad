// Field descriptions Shopify publishes in its Admin GraphQL schema (the introspection already on disk for
// validation, nodes/shopify/schema.ts). Read straight from the JSON: building a graphql-js schema costs ~1 s.
import { readAdminIntrospection } from '../../shopify/admin-schema-file.ts';

interface IntroField {
  name: string;
  description?: string | null;
}
interface IntroType {
  name: string;
  fields?: IntroField[] | null;
}

let cached: Map<string, Map<string, string>> | undefined;

/** type name -> field name -> description. Empty when the schema file cannot be read (the suggester then uses names only). */
export function adminDescriptions(): Map<string, Map<string, string>> {
  if (cached) return cached;
  cached = new Map();
  try {
    const types = (readAdminIntrospection().__schema as { types?: IntroType[] }).types ?? [];
    for (const t of types) {
      if (!t.fields) continue;
      cached.set(t.name, new Map(t.fields.map((f) => [f.name, (f.description ?? '').replace(/\s+/g, ' ').trim()])));
    }
  } catch {
    // Without the schema file: names and types still rank candidates; descriptions only sharpen them.
  }
  return cached;
}

export function adminDescription(type: string, field: string): string | undefined {
  return adminDescriptions().get(type)?.get(field) || undefined;
}
