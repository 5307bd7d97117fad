// After `npm install`: fetch Shopify's Admin schema (tests and the sandbox store need it), compile the server to
// dist/ (what `npm start` runs) and build the designer (or refuse to install without it: see designerPlan).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildServer, designerPlan } from './build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const step = (what, args) => {
  console.log(`[ledgerline] ${what}`);
  execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
};

if (existsSync(`${root}/scripts/shopify/fetch-admin-schema.ts`)) {
  step('fetching the Shopify Admin 2026-10 schema', ['--import', 'tsx', 'scripts/shopify/fetch-admin-schema.ts']);
}

console.log('[ledgerline] compiling the server to dist/');
await buildServer();

const designer = designerPlan(root);
if (designer.kind === 'build') step('building the designer', designer.args);
else if (designer.kind === 'prebuilt') console.log('[ledgerline] the designer is already built (designer/dist): kept, Vite is not installed');
else if (designer.kind === 'skip') console.log('[ledgerline] LEDGERLINE_NO_DESIGNER=1: no designer; the server serves the API and webhooks only');
else if (designer.kind === 'refuse') {
  console.error(`[ledgerline] ${designer.message}`);
  process.exit(1);
}
