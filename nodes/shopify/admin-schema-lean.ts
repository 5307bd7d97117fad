// The Admin introspection without its documentation, beside the file fetched at install time: what the server builds
// its graphql-js schema from. Descriptions and Shopify's own documentation fields (required access, component names…)
// are most of the file, and nothing at run time reads them from the schema (validation, cost and the sandbox store's
// execution use types, fields, arguments and deprecations; assistance reads descriptions from the full file,
// shopify-descriptions.ts). Parsing and keeping them cost ≈ 30 MB of the server's resident memory for good
// (bench/README.md, "Order to ERP": memory, the Admin schema).
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { ADMIN_SCHEMA_PATH, readAdminIntrospection } from './admin-schema-file.ts';

/** The lean file for a fetched introspection file: `admin_2026-10.json.gz` → `admin_2026-10.lean.json`. */
export const leanPathOf = (full: string): string => full.replace(/\.json\.gz$/, '') + '.lean.json';

/** What a lean file says it was made from: the full file's size and modification time. */
const sourceOf = (full: string): string => {
  const s = statSync(full);
  return `${s.size}:${s.mtimeMs}`;
};

/** The introspection fields of the GraphQL specification (what graphql-js builds a schema from), descriptions aside. */
const KEPT = new Set(
  [
    'queryType mutationType subscriptionType types directives', // __Schema
    'kind name specifiedByURL isOneOf fields interfaces possibleTypes enumValues inputFields ofType', // __Type
    'args type isDeprecated deprecationReason defaultValue locations isRepeatable', // __Field, __InputValue, __EnumValue, __Directive
  ].flatMap((l) => l.split(' ')),
);

interface LeanFile {
  source: string;
  __schema: unknown;
}

/** Makes the lean file from `full` (written whole, then renamed into place) and returns its introspection. */
export function writeLeanIntrospection(full = ADMIN_SCHEMA_PATH, lean = leanPathOf(full)): { __schema: unknown } {
  const { __schema } = readAdminIntrospection(full);
  const source = sourceOf(full);
  // Keys of objects only (an array's are its indexes), and the root's two.
  const text = JSON.stringify({ source, __schema }, function (this: unknown, key, value) {
    return Array.isArray(this) || key === '' || key === 'source' || key === '__schema' || KEPT.has(key) ? value : undefined;
  });
  try {
    const tmp = `${lean}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, lean);
  } catch {
    // A read-only cache folder: the introspection is still good for this process, made again by the next.
  }
  return { __schema: (JSON.parse(text) as LeanFile).__schema };
}

/**
 * The introspection without its documentation: the lean file when it was made from `full` as it is now, otherwise made
 * again (missing, damaged, or `full` fetched anew since). Errors about `full` itself are readAdminIntrospection's.
 */
export function readLeanIntrospection(full = ADMIN_SCHEMA_PATH, lean = leanPathOf(full)): { __schema: unknown } {
  if (existsSync(full) && existsSync(lean)) {
    try {
      const f = JSON.parse(readFileSync(lean, 'utf8')) as Partial<LeanFile>;
      if (f.source === sourceOf(full) && f.__schema) return { __schema: f.__schema };
    } catch {
      // Damaged (a write cut short by a crash before the rename cannot leave one, but a disk can): made again.
    }
  }
  return writeLeanIntrospection(full, lean);
}
