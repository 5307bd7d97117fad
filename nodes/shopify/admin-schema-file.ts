// Where Shopify's Admin GraphQL introspection (2026-10) lives on disk, and reading it. The file is fetched at install
// time (scripts/shopify/fetch-admin-schema.ts, run by `npm install`); a running server never fetches it, so a missing
// or damaged file is an error that names the file and the command that fetches it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const ADMIN_API_VERSION = '2026-10';

const above = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Run from dist/ (the compiled server), the package folder is one level further up.
const repoRoot = existsSync(join(above, 'package.json')) ? above : dirname(above);
export const SCHEMA_CACHE_DIR = process.env.LEDGERLINE_SHOPIFY_CACHE ?? join(repoRoot, '.cache', 'shopify');
export const ADMIN_SCHEMA_PATH = join(SCHEMA_CACHE_DIR, `admin_${ADMIN_API_VERSION}.json.gz`);
export const FETCH_COMMAND = 'node --import tsx scripts/shopify/fetch-admin-schema.ts';

/** The introspection result (`{ __schema }`), read from `path`. Throws, naming the file and the fix, when it is missing or damaged. */
export function readAdminIntrospection(path = ADMIN_SCHEMA_PATH): { __schema: unknown } {
  if (!existsSync(path)) {
    throw new Error(
      `Shopify Admin GraphQL schema ${ADMIN_API_VERSION} is missing: ${path} does not exist. It is fetched at install time (npm install); fetch it with \`${FETCH_COMMAND}\``,
    );
  }
  let json: { data?: { __schema?: unknown }; __schema?: unknown };
  try {
    json = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
  } catch (e) {
    throw new Error(`Shopify Admin GraphQL schema ${path} cannot be read (${(e as Error).message}); fetch it again with \`${FETCH_COMMAND} --force\``);
  }
  const schema = json?.data?.__schema ?? json?.__schema;
  if (!schema)
    throw new Error(`Shopify Admin GraphQL schema ${path} holds no introspection result (__schema); fetch it again with \`${FETCH_COMMAND} --force\``);
  return { __schema: schema };
}
