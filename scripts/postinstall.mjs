// After `npm install`: fetch Shopify's Admin schema (tests and the sandbox store need it) and build the designer.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const step = (what, args) => {
  console.log(`[ledgerline] ${what}`);
  execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
};

if (existsSync(`${root}/scripts/shopify/fetch-admin-schema.ts`)) {
  step('fetching the Shopify Admin 2026-10 schema', ['--import', 'tsx', 'scripts/shopify/fetch-admin-schema.ts']);
}
const vite = `${root}/node_modules/vite/bin/vite.js`;
if (existsSync(`${root}/designer/vite.config.ts`) && existsSync(vite)) {
  step('building the designer', [vite, 'build', '--config', 'designer/vite.config.ts', '--logLevel', 'warn']);
}
