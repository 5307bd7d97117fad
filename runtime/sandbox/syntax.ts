// Sandboxed code is parsed when a flow is validated and published, not first when a live event runs it: a typo in a
// code node, a branch condition or a mapping expression is a problem named at its node and field, not a failed run
// per order. The parse is the sandbox's own (the same wrapper, V8 in the same node binary) and runs nothing: a
// `vm.Script` is compiled, never run.
import vm from 'node:vm';

export type CodeKind = 'function' | 'expression';

export interface SyntaxProblem {
  message: string;
  /** 1-based, in the user's code. */
  line?: number;
  column?: number;
}

/** The source as the sandbox compiles it: the user's first line is the wrapper's line 2. */
export function wrapCode(kind: CodeKind, names: string[], source: string): string {
  return kind === 'function'
    ? `(async function (${names.join(', ')}) {'use strict';\n${source}\n})`
    : `(function (${names.join(', ')}) {'use strict'; return (\n${source}\n);})`;
}

/**
 * A syntax error at a line and column of the wrapper, told in the user's lines. One reported past the user's last line
 * (on the wrapper's close) means the code left something open: a bracket, a string, an operator.
 */
export function syntaxProblemAt(name: string, message: string, wrapperLine: number, column: number, source: string): SyntaxProblem {
  const text = `${name}: ${message}`;
  const userLines = source.split('\n');
  const line = wrapperLine - 1;
  if (line >= 1 && line <= userLines.length) return { message: text, line, column };
  const last = userLines[userLines.length - 1] ?? '';
  return { message: `${text} (the code ends before it is complete)`, line: userLines.length, column: last.length + 1 };
}

/** Null when the code parses as the sandbox would compile it; otherwise what is wrong and where. Runs nothing. */
export function codeSyntaxProblem(kind: CodeKind, source: string, names: string[] = ['input']): SyntaxProblem | null {
  const file = 'ledgerline-code.js';
  try {
    new vm.Script(wrapCode(kind, names, source), { filename: file });
    return null;
  } catch (e) {
    const err = e as Error;
    // V8's stack for a parse error: "<file>:<line>", the line's text, a caret under the offending token.
    const [where = '', , caret = ''] = (err.stack ?? '').split('\n');
    const line = where.startsWith(`${file}:`) ? Number(where.slice(file.length + 1)) : Number.NaN;
    const column = caret.indexOf('^') + 1;
    if (!Number.isInteger(line) || column < 1) return { message: `${err.name || 'SyntaxError'}: ${err.message}` };
    return syntaxProblemAt(err.name || 'SyntaxError', err.message, line, column, source);
  }
}

/** "SyntaxError: Unexpected token ';' (line 1, column 11)": a problem as one line for a validation message. */
export const describeSyntaxProblem = (p: SyntaxProblem) => (p.line ? `${p.message} (line ${p.line}, column ${p.column})` : p.message);

/** The check flows/validate.ts takes (`codeSyntax`): the problem as one line, or null when the code parses. */
export const parseSandboxCode = (kind: CodeKind, source: string): string | null => {
  const p = codeSyntaxProblem(kind, source);
  return p ? describeSyntaxProblem(p) : null;
};
