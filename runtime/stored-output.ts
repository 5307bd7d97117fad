// Step outputs stored by reference: an output derived from what the run already stores (the step's input, itself the
// upstream outputs) is kept as a small reference and rebuilt on reading exactly as it was, by the executor on resume,
// by Runs.get for inspection, by a replay that copies the step. (bench/README.md "Order to ERP": the trigger's whole
// Shopify order was stored again by the gate and by each lookup.) References are valid JSON objects under the
// `$ledgerline` key, so a reader that knows nothing of them parses them as objects holding none of the order.

/** A step that passed its input on unchanged (a gate). */
export const OUTPUT_IS_INPUT = '{"$ledgerline":"output-is-input"}';
/** A step whose node rebuilds its output from its input (`NodeType.rebuildsOutput`, rebuild-output.ts): run it again. */
export const OUTPUT_REBUILT = '{"$ledgerline":"output-rebuilt"}';
const PREFIX = '{"$ledgerline":';

export type Path = ReadonlyArray<string | number>;

interface InputWithRef {
  $ledgerline: 'input-with';
  /** The paths the step changed; under each, its value (null: absent). */
  at: Path[];
  values: Array<{ v: unknown } | null>;
}

export const isStoredReference = (text: string | null | undefined): text is string => typeof text === 'string' && text.startsWith(PREFIX);

/** The stored text of an output that is its input with the values at `changed` paths replaced or added. */
export function inputWithText(value: unknown, changed: readonly Path[]): string {
  const ref: InputWithRef = {
    $ledgerline: 'input-with',
    at: changed.map((p) => [...p]),
    values: changed.map((p) => {
      const v = valueAt(value, p);
      return v === undefined ? null : { v };
    }),
  };
  return JSON.stringify(ref);
}

/**
 * The output a stored reference stands for. `input` is the step's input as it was handed to the step (left as it is);
 * `copyOfInput` gives a fresh copy of it to change.
 */
export function resolveStored(text: string, input: unknown, copyOfInput: () => unknown): unknown {
  if (text === OUTPUT_IS_INPUT) return input;
  const ref = JSON.parse(text) as Partial<InputWithRef>;
  if (ref.$ledgerline !== 'input-with' || !Array.isArray(ref.at) || !Array.isArray(ref.values)) return ref;
  let out = copyOfInput();
  ref.at.forEach((path, i) => {
    const x = ref.values?.[i];
    if (!x) return;
    if (path.length === 0) out = x.v;
    else out = setPath(out, path, x.v);
  });
  return out;
}

function valueAt(v: unknown, path: Path): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** Sets `value` at `path`, making the missing containers on the way as a node writing there would (mapping/paths setAt). */
function setPath(root: unknown, path: Path, value: unknown): unknown {
  const top = root !== null && typeof root === 'object' ? root : {};
  let o = top as Record<string | number, unknown>;
  path.forEach((k, i) => {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new Error(`stored output reference: "${k}" is not a field name`);
    if (i === path.length - 1) {
      o[k] = value;
      return;
    }
    let next = o[k];
    if (next === null || typeof next !== 'object') {
      next = typeof path[i + 1] === 'number' ? [] : {};
      o[k] = next;
    }
    o = next as Record<string | number, unknown>;
  });
  return top;
}
