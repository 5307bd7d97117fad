import { describe, expect, it } from 'vitest';
import { codeSyntaxProblem, parseSandboxCode } from './syntax.ts';

describe('sandboxed code parsed as the sandbox compiles it, without running it', () => {
  it('accepts what the sandbox runs: a function body with return and await, an expression', () => {
    expect(codeSyntaxProblem('function', 'const t = await Promise.resolve(input.total);\nreturn { t };')).toBeNull();
    expect(codeSyntaxProblem('expression', 'input.total_price > 100 && input.tags.includes("vip")')).toBeNull();
  });

  it('says what is wrong and where, in the lines of the code as written', () => {
    expect(codeSyntaxProblem('function', 'const x = ;\nreturn x')).toEqual({ message: "SyntaxError: Unexpected token ';'", line: 1, column: 11 });
    expect(codeSyntaxProblem('function', 'return 1;\nwith (input) {}')).toMatchObject({
      message: 'SyntaxError: Strict mode code may not include a with statement',
      line: 2,
    });
    // Left open: reported at the end of the code, not on the wrapper's closing line.
    expect(codeSyntaxProblem('function', 'return { a: ')).toEqual({
      message: "SyntaxError: Unexpected token '}' (the code ends before it is complete)",
      line: 1,
      column: 13,
    });
    expect(parseSandboxCode('expression', 'input.a >')).toBe("SyntaxError: Unexpected token ')' (the code ends before it is complete) (line 1, column 10)");
    expect(parseSandboxCode('expression', 'input.a; input.b')).toMatch(/^SyntaxError: /);
  });

  it('runs nothing it parses', () => {
    const g = globalThis as { ranByParse?: boolean };
    expect(codeSyntaxProblem('function', 'globalThis.ranByParse = true; return 1')).toBeNull();
    expect(codeSyntaxProblem('expression', '(globalThis.ranByParse = true)')).toBeNull();
    expect(g.ranByParse).toBeUndefined();
  });
});
