// `ledgerline suggest-mapping --target TARGET.schema.json [--source shopify.order] [--sample EVENT.json] [--json]`:
// for each property of a target JSON Schema, the ranked Shopify source paths with confidence and reason (offline).
// Exit: 0 printed, 2 usage error (missing/unreadable/invalid target or sample).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { suggestMapping, SOURCES, TargetSchemaError, SampleError, type SuggestResult } from '../../nodes/core/assist/index.ts';

export const SUGGEST_USAGE = 'ledgerline suggest-mapping --target TARGET.schema.json [--source shopify.order] [--sample EVENT.json] [--json]';

type Io = { out?: (s: string) => void; err?: (s: string) => void };

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SampleError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SampleError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function formatSuggestions(r: SuggestResult, title: string): string {
  const lines = [title];
  const width = Math.min(60, Math.max(...r.targets.flatMap((t) => t.candidates.map((c) => c.path.length))));
  for (const t of r.targets) {
    lines.push('', `${t.target}  (${t.kind}${t.required ? ', required' : ''})`);
    t.candidates.forEach((c, i) => {
      const tf = c.transforms.length ? `  [then ${c.transforms.map((x) => x.op).join(', ')}]` : '';
      lines.push(`  ${i + 1}. ${c.path.padEnd(width)}  ${c.confidence.toFixed(2)}  ${c.reason}${tf}`);
    });
  }
  return lines.join('\n') + '\n';
}

export async function suggestMappingCommand(argv: string[], io: Io = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  const usage = (m: string) => {
    err(`ledgerline suggest-mapping: ${m}\nusage: ${SUGGEST_USAGE}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { target: { type: 'string' }, source: { type: 'string', default: 'shopify.order' }, sample: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values } = parsed;
  if (!values.target) return usage('--target TARGET.schema.json is required');
  if (!SOURCES[values.source!]) return usage(`unknown --source "${values.source}" (known: ${Object.keys(SOURCES).join(', ')})`);
  try {
    const target = readJson(values.target, 'target schema');
    const sample = values.sample ? readJson(values.sample, 'sample') : undefined;
    const r = suggestMapping(target, { source: values.source, sample });
    if (values.json) out(JSON.stringify(r, null, 2) + '\n');
    else
      out(
        formatSuggestions(
          r,
          `${r.targets.length} target fields of ${values.target} from ${r.source} (sample: ${values.sample ?? "Shopify's orders/paid example"}); confidence 0..1`,
        ),
      );
    return 0;
  } catch (e) {
    if (e instanceof TargetSchemaError || e instanceof SampleError) return usage(e.message);
    throw e;
  }
}
