// Fetches Shopify's Admin GraphQL introspection for 2026-10 from the npm tarball of @shopify/dev-mcp@1.16.0.
// We only want one data file, not the package (it depends on @shopify/cli), so we `npm pack` it into a cache dir
// and extract that single member with the system tar. Idempotent: does nothing when the file is already there. Run at
// install time (scripts/postinstall.mjs) or by hand: the server only reads the file (nodes/shopify/admin-schema-file.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_API_VERSION, ADMIN_SCHEMA_PATH, readAdminIntrospection, SCHEMA_CACHE_DIR } from '../../nodes/shopify/admin-schema-file.ts';
import { readLeanIntrospection, writeLeanIntrospection } from '../../nodes/shopify/admin-schema-lean.ts';

export { ADMIN_API_VERSION, ADMIN_SCHEMA_PATH, SCHEMA_CACHE_DIR };
export const DEV_MCP_PACKAGE = '@shopify/dev-mcp@1.16.0';
const MEMBER = `package/dist/data/admin_${ADMIN_API_VERSION}.json.gz`;

function isUsable(path: string): boolean {
  if (!existsSync(path) || statSync(path).size < 1000) return false;
  try {
    readAdminIntrospection(path);
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${(e.stderr || e.message).trim().slice(0, 2000)}`);
  }
}

/** Returns the path of the extracted schema, downloading it first when missing or corrupt. */
export function fetchAdminSchema(opts: { force?: boolean; log?: (msg: string) => void } = {}): string {
  const log = opts.log ?? (() => {});
  if (!opts.force && isUsable(ADMIN_SCHEMA_PATH)) {
    // The server's lean copy (admin-schema-lean.ts), made now rather than at the first start.
    readLeanIntrospection();
    return ADMIN_SCHEMA_PATH;
  }
  mkdirSync(SCHEMA_CACHE_DIR, { recursive: true });
  // A per-process work dir so two concurrent fetches (parallel test workers, postinstall + CI) never share files.
  const work = join(SCHEMA_CACHE_DIR, `.work-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  try {
    let tgz = readdirSync(SCHEMA_CACHE_DIR).find((f) => /^shopify-dev-mcp-1\.16\.0\.tgz$/.test(f));
    if (!tgz) {
      log(`npm pack ${DEV_MCP_PACKAGE} ...`);
      const out = run('npm', ['pack', DEV_MCP_PACKAGE, '--silent', '--pack-destination', work], work).trim();
      const name = out.split('\n').pop()!.trim();
      const packed = join(work, name);
      if (!existsSync(packed)) throw new Error(`npm pack did not produce ${packed}`);
      // Keep the tarball so a corrupt extraction can be retried offline.
      renameSync(packed, join(SCHEMA_CACHE_DIR, name));
      tgz = name;
    }
    run('tar', ['-xzf', join(SCHEMA_CACHE_DIR, tgz), '-C', work, MEMBER], work);
    const extracted = join(work, MEMBER);
    if (!isUsable(extracted)) throw new Error(`${MEMBER} in ${tgz} is not a gzipped introspection result`);
    // rename is atomic within a filesystem: readers see either no file or the complete one.
    renameSync(extracted, ADMIN_SCHEMA_PATH);
    writeLeanIntrospection();
    log(`wrote ${ADMIN_SCHEMA_PATH} and its lean copy`);
    return ADMIN_SCHEMA_PATH;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const p = fetchAdminSchema({ force: process.argv.includes('--force'), log: (m) => console.log(`[shopify-schema] ${m}`) });
    console.log(`[shopify-schema] ready: ${p}`);
  } catch (err) {
    console.error(`[shopify-schema] ${(err as Error).message}`);
    process.exit(1);
  }
}
