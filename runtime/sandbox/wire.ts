// Parent-side helpers: turning vars into wire texts, wire errors into SandboxErrors, results into lazy values.
import { JsonText, SandboxError, type SandboxResult } from './types.ts';
import type { WireError } from './protocol.ts';

const IDENT = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval undefined'
  ).split(' '),
);

export function checkVarNames(nodeId: string, names: string[]): void {
  for (const n of names) {
    if (!IDENT.test(n) || RESERVED.has(n)) {
      throw new SandboxError(`${nodeId}: "${n}" cannot be a variable name in sandboxed code`, { nodeId, kind: 'syntax' });
    }
  }
}

/** JSON text of one var: JsonText passes through untouched; anything else is serialised once, here. */
export function varText(nodeId: string, name: string, value: unknown): string {
  if (value instanceof JsonText) return value.text;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new SandboxError(`${nodeId}: variable "${name}" is not JSON-compatible: ${(e as Error).message}`, { nodeId, kind: 'runtime' });
  }
  if (text === undefined) {
    throw new SandboxError(`${nodeId}: variable "${name}" is not JSON-compatible (${typeof value})`, { nodeId, kind: 'runtime' });
  }
  return text;
}

export function toSandboxError(nodeId: string, e: WireError, where?: string): SandboxError {
  const pos = e.line !== undefined ? ` (line ${e.line}${e.column !== undefined ? `, column ${e.column}` : ''})` : '';
  return new SandboxError(`${nodeId}${where ? ' ' + where : ''}: ${e.message}${pos}`, {
    nodeId,
    kind: e.kind,
    line: e.line,
    column: e.column,
  });
}

/**
 * The host parses the result only if someone reads `value`; persisting needs `json` alone. `value` is an own
 * enumerable getter so spreading or comparing a result still sees it.
 */
export function lazyResult(json: string): SandboxResult {
  let parsed = false;
  let cached: unknown;
  const r = { json } as SandboxResult;
  Object.defineProperty(r, 'value', {
    enumerable: true,
    get() {
      if (!parsed) {
        cached = JSON.parse(json);
        parsed = true;
      }
      return cached;
    },
  });
  return r;
}
