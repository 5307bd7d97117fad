// Writes flows/flow.schema.json from the zod schema. A test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flowJsonSchema } from '../flows/json-schema.ts';

const out = fileURLToPath(new URL('../flows/flow.schema.json', import.meta.url));
writeFileSync(out, JSON.stringify(flowJsonSchema(), null, 2) + '\n');
console.log(`wrote ${out}`);
