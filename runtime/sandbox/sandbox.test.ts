// Behaviour of the sandbox contract: results, errors with positions, batching, and isolation between calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, JsonText, SandboxError, type SandboxPool } from './index.ts';

let sb: SandboxPool;
beforeAll(() => {
  sb = createSandbox({ processes: 2 });
});
afterAll(() => sb.close());

const fn = (source: string, vars: Record<string, unknown> = { input: null }) => sb.run({ nodeId: 'code1', kind: 'function', source, vars });
const caught = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: SandboxError) => e,
  );

describe('sandbox results', () => {
  it('runs a function body over its vars and returns the value and the JSON made inside the isolate', async () => {
    const r = await fn('const total = input.lines.reduce((s, l) => s + l.qty, 0);\nreturn { total, who: user };', {
      input: { lines: [{ qty: 2 }, { qty: 3 }] },
      user: 'ana',
    });
    expect(r.json).toBe('{"total":5,"who":"ana"}');
    expect(r.value).toEqual({ total: 5, who: 'ana' });
  });

  it('passes JsonText through as the parsed value', async () => {
    const r = await fn('return input.order.name', { input: new JsonText('{"order":{"name":"#1001"}}') });
    expect(r.value).toBe('#1001');
  });

  it('evaluates an expression', async () => {
    const r = await sb.run({
      nodeId: 'branch1',
      kind: 'expression',
      source: 'input.total > 100 && input.currency === "EUR"',
      vars: { input: { total: 150, currency: 'EUR' } },
    });
    expect(r.value).toBe(true);
    expect(r.json).toBe('true');
  });

  it('awaits async code', async () => {
    const r = await fn('const x = await Promise.all([1, 2].map(async (n) => n * 2));\nreturn x');
    expect(r.value).toEqual([2, 4]);
  });

  it('keeps compiled code apart when the same source sees different var names', async () => {
    const a = await sb.run({ nodeId: 'a', kind: 'expression', source: 'typeof x', vars: { x: 1 } });
    const b = await sb.run({ nodeId: 'b', kind: 'expression', source: 'typeof x', vars: { y: 1 } });
    expect([a.value, b.value]).toEqual(['number', 'undefined']);
  });

  it('runs a batch of expressions in one call, each with its own result or error', async () => {
    const out = await sb.runBatch({
      nodeId: 'map1',
      vars: { input: new JsonText('{"a":{"b":2},"tags":"x, y"}') },
      expressions: ['input.a.b * 10', 'input.missing.field', 'input.tags.split(",").map((t) => t.trim())', 'input.a +', '() => 1'],
    });
    expect(out[0]).toEqual({ ok: true, value: 20 });
    expect(out[2]).toEqual({ ok: true, value: ['x', 'y'] });
    expect(out).toHaveLength(5);
    const [e1, e3, e4] = [out[1]!, out[3]!, out[4]!].map((o) => (o.ok ? undefined : o.error));
    expect(e1).toMatchObject({ nodeId: 'map1', kind: 'runtime', line: 1, column: 15 });
    expect(e1?.message).toMatch(/^map1 expression #2: TypeError: Cannot read properties of undefined \(reading 'field'\)/);
    expect(e3).toMatchObject({ kind: 'syntax' });
    expect(e4).toMatchObject({ kind: 'output' });
  });

  it('names the expression of a batch that timed out and keeps the results before it', async () => {
    const out = await sb.runBatch({ nodeId: 'map2', vars: { input: 1 }, timeoutMs: 200, expressions: ['input + 1', '(() => { for (;;); })()', 'input + 3'] });
    expect(out[0]).toEqual({ ok: true, value: 2 });
    expect(out[1]).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(out[2]).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    const third = out[2]!;
    expect(third.ok ? '' : third.error.message).toMatch(/not evaluated: expression #2/);
  });
});

describe('sandbox errors', () => {
  it('reports runtime errors at their line and column in the user code', async () => {
    const e = await caught(fn('const a = 1;\n\n  const b = input.x.y;\nreturn b'));
    expect(e).toBeInstanceOf(SandboxError);
    expect(e).toMatchObject({ nodeId: 'code1', kind: 'runtime', line: 3, column: 19 });
  });

  it('reports errors thrown by the user with the position of the throw', async () => {
    const e = await caught(fn("if (true) {\n  throw new RangeError('quantity must be positive');\n}"));
    expect(e).toMatchObject({ kind: 'runtime', line: 2, column: 9 });
    expect(e.message).toBe('code1: RangeError: quantity must be positive (line 2, column 9)');
  });

  it('reports an unfinished source at its end', async () => {
    const e = await caught(fn('const a = [1, 2;\nreturn a'));
    expect(e).toMatchObject({ kind: 'syntax', line: 1 });
    const e2 = await caught(fn('return {'));
    expect(e2).toMatchObject({ kind: 'syntax', line: 1, column: 9 });
  });

  it('rejects vars that are not JSON-compatible or names that are not identifiers', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await caught(fn('return 1', { input: cyclic }))).toMatchObject({
      kind: 'runtime',
      message: expect.stringMatching(/variable "input" is not JSON-compatible/),
    });
    expect(await caught(fn('return 1', { 'not-a-name': 1 }))).toMatchObject({ kind: 'syntax' });
  });
});

describe('isolation between calls', () => {
  it('code cannot leave globals for the next call', async () => {
    const e = await caught(fn('globalThis.stash = input; return 1', { input: 'secret' }));
    expect(e.message).toMatch(/not extensible/);
    const e2 = await caught(fn('leaked = input; return 1', { input: 'secret' }));
    expect(e2.message).toMatch(/leaked is not defined/);
    expect((await fn('return typeof stash + typeof leaked')).value).toBe('undefinedundefined');
  });

  it('a prototype tampered with in one call is not tampered with in the next', async () => {
    for (const src of [
      'Array.prototype.map = () => "pwned"',
      'Object.prototype.polluted = 1',
      'JSON.stringify = () => "{}"',
      'Object.defineProperty(Object.prototype, "x", { get() { return 1 } })',
      'delete Array.prototype.push',
    ]) {
      const e = await caught(fn(src + '; return 1'));
      expect(e.kind).toBe('runtime');
    }
    const r = await fn('return { m: [1, 2].map((x) => x * 2), p: ({}).polluted, x: ({}).x, push: typeof [].push }');
    expect(r.value).toEqual({ m: [2, 4], push: 'function' });
  });

  it('allows overriding inherited names on own objects (errors, toString)', async () => {
    const r = await fn(
      "class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }\nconst o = {}; o.toString = () => 'o';\nreturn [new MyError('x').name, String(o)]",
    );
    expect(r.value).toEqual(['MyError', 'o']);
  });

  it('the last RegExp match of one call is invisible to the next', async () => {
    await fn('/(s3cr3t)/.test(input); return 1', { input: 'the s3cr3t' });
    expect((await fn('return [typeof RegExp.$1, typeof RegExp.lastMatch, typeof RegExp.input]')).value).toEqual(['undefined', 'undefined', 'undefined']);
  });

  it('resident data shared between calls is read-only, and code that mutates its input still works on a private copy', async () => {
    const order = new JsonText(JSON.stringify({ lines: [{ sku: 'B' }, { sku: 'A' }] }));
    const read = 'return input.lines.map((l) => l.sku).join()';
    const mutate = 'input.lines.sort((a, b) => a.sku.localeCompare(b.sku)); input.extra = 1; return input';
    for (let i = 0; i < 3; i++) expect((await fn(read, { input: order })).value).toBe('B,A');
    expect((await fn(mutate, { input: order })).value).toEqual({ lines: [{ sku: 'A' }, { sku: 'B' }], extra: 1 });
    expect((await fn(mutate, { input: order })).value).toEqual({ lines: [{ sku: 'A' }, { sku: 'B' }], extra: 1 });
    expect((await fn(read, { input: order })).value).toBe('B,A');
    const e = await caught(fn('input.lines.push(null); throw new Error("real failure")', { input: order }));
    expect(e.message).toMatch(/real failure/);
  });

  it('sends a large JsonText to one process once and keeps later calls with it on that process', async () => {
    const data = new JsonText(JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ i, name: `row ${i}` })) }));
    const before = sb.stats().reduce((n, c) => n + c.residentTexts, 0);
    for (let i = 0; i < 6; i++) expect((await fn('return input.rows.length', { input: data })).value).toBe(200);
    const holders = sb.stats().filter((c) => c.residentTexts > 0);
    expect(sb.stats().reduce((n, c) => n + c.residentTexts, 0) - before).toBe(1);
    expect(holders.length).toBeGreaterThan(0);
  });

  it('applies per-call time limits and memory limits', async () => {
    const e = await caught(sb.run({ nodeId: 'slow', kind: 'function', source: 'for (;;);', vars: {}, timeoutMs: 100 }));
    expect(e).toMatchObject({ kind: 'timeout', nodeId: 'slow' });
    const big = await sb.run({ nodeId: 'big', kind: 'function', source: "return 'x'.repeat(20e6).length", vars: {}, memoryMb: 128 });
    expect(big.value).toBe(20e6);
  });
});
