// Config problems written for people: "The Shopify event trigger needs a connection" instead of zod's
// "Invalid input: expected string, received undefined" under `$.nodes[0].config.connection`.
import type { NodeTypeSpec } from './node-spec.ts';

type Named = Pick<NodeTypeSpec, 'title' | 'trigger'>;

interface Issue {
  code: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  values?: readonly unknown[];
  minimum?: number | bigint;
  origin?: string;
}

/** `taxCodes` → "tax codes", `sweep.schedule` → "sweep schedule", `lines[0].sku` → "line 1 SKU". */
export function fieldLabel(path: ReadonlyArray<PropertyKey>): string {
  const words: string[] = [];
  for (const seg of path) {
    if (typeof seg === 'number') {
      words.push(String(seg + 1));
      continue;
    }
    const s = String(seg)
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/[_-]+/g, ' ')
      .toLowerCase();
    words.push(
      s
        .replace(/\bsku\b/g, 'SKU')
        .replace(/\bid\b/g, 'ID')
        .replace(/\berp\b/g, 'ERP'),
    );
  }
  return words.join(' ') || 'configuration';
}

const article = (w: string) => (/^[aeiou]/i.test(w) && !/^(one|use)/i.test(w) ? 'an' : 'a');

/** How a node is named in a sentence: its title, with "trigger" for trigger nodes ("The Shopify event trigger"). */
export function nodeLabel(type: Named, name?: string): string {
  const base = name?.trim() || type.title;
  const kind = type.trigger ? 'trigger' : 'node';
  return `The ${base}${new RegExp(`\\b${kind}$`, 'i').test(base) ? '' : ` ${kind}`}`;
}

function valueAt(v: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = v;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/** One sentence for a config issue of a node; custom messages written by the node's author are kept as they are. */
export function configProblemText(type: Named, issue: Issue, config: unknown, name?: string): string {
  const who = nodeLabel(type, name);
  const field = fieldLabel(issue.path);
  const value = valueAt(config, issue.path);
  const missing = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  if (
    missing &&
    (issue.code === 'invalid_type' ||
      (issue.code === 'too_small' && issue.origin === 'string') ||
      issue.code === 'invalid_value' ||
      issue.code === 'invalid_union')
  ) {
    return `${who} needs ${article(field)} ${field}`;
  }
  if (issue.code === 'invalid_value' && issue.values?.length) {
    return `${who}: ${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (it is ${JSON.stringify(value)})`;
  }
  if (issue.code === 'unrecognized_keys') return `${who}: ${issue.message.replace(/^Unrecognized keys?:?/i, 'unknown setting').trim()}`;
  if (/^Invalid input/i.test(issue.message)) return `${who}: ${field} is not valid (${issue.message.replace(/^Invalid input:?\s*/i, '') || 'wrong type'})`;
  return `${who}: ${field}: ${issue.message}`;
}
