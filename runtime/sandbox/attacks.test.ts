// Hostile code: each attack must end in a clear SandboxError, and the sandbox must keep serving afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, JsonText, SandboxError, type SandboxPool } from './index.ts';

let sb: SandboxPool;
beforeAll(() => {
  sb = createSandbox({ processes: 1, maxOutputChars: 1_000_000 });
});
afterAll(() => sb.close());

const run = (source: string, opts: { kind?: 'function' | 'expression'; timeoutMs?: number; memoryMb?: number } = {}) =>
  sb.run({ nodeId: 'evil', kind: opts.kind ?? 'function', source, vars: { input: { secret: 'mine' } }, timeoutMs: opts.timeoutMs, memoryMb: opts.memoryMb });

async function fails(source: string, opts: Parameters<typeof run>[1] = {}): Promise<SandboxError> {
  const err = await run(source, opts).then(
    (r) => {
      throw new Error(`expected a SandboxError, got ${r.json}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  expect((err as SandboxError).nodeId).toBe('evil');
  return err as SandboxError;
}

async function stillServes(): Promise<void> {
  const r = await sb.run({ nodeId: 'ok', kind: 'function', source: 'return { n: input.n + 1 }', vars: { input: new JsonText('{"n":41}') } });
  expect(r.value).toEqual({ n: 42 });
}

describe('sandbox attacks', () => {
  it('stops an infinite loop at the time limit', async () => {
    const t0 = Date.now();
    const e = await fails('while (true) {}', { timeoutMs: 300 });
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(/did not finish within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);
    await stillServes();
  });

  it('stops a microtask loop (await in a loop) at the time limit', async () => {
    const e = await fails('for (;;) await null;', { timeoutMs: 300 });
    expect(e.kind).toBe('timeout');
    await stillServes();
  });

  it('times out async code that never resolves', async () => {
    const e = await fails('await new Promise(() => {}); return 1;', { timeoutMs: 200 });
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(/never settles/);
    await stillServes();
  });

  it('contains a memory bomb at the memory limit', async () => {
    const e = await fails('const a = []; for (;;) a.push(new Array(1e5).fill(a.length));', { timeoutMs: 10_000, memoryMb: 32 });
    expect(e.kind).toBe('memory');
    expect(e.message).toMatch(/memory limit of 32 MB/);
    await stillServes();
  });

  it('refuses a giant ArrayBuffer without touching the host', async () => {
    const e = await fails('return new Uint8Array(4e9).length');
    expect(['runtime', 'memory']).toContain(e.kind);
    await stillServes();
  });

  it.each([
    ['this.constructor.constructor', "return this.constructor.constructor('return process')()"],
    ['input.constructor.constructor', "return input.constructor.constructor('return process')().env"],
    ['async function constructor', "return (async () => {}).constructor('return process')"],
    ['generator function constructor', "return Object.getPrototypeOf(function* () {}).constructor('yield process')().next()"],
    ['Reflect.construct(Function)', "return Reflect.construct(Function, ['return process'])()"],
    ['error constructor chain', "try { null.x } catch (e) { return e.constructor.constructor('return process')() }"],
    ['indirect eval', "return (0, eval)('process')"],
    ['arguments.callee.caller', 'return (function f() { return f.caller })()'],
  ])('blocks the prototype-chain escape via %s', async (_name, source) => {
    const e = await fails(source);
    expect(e.kind).toBe('runtime');
    expect(e.message).toMatch(/EvalError|TypeError|code generation/);
    await stillServes();
  });

  it('gives no route to the host through a thrown error stack', async () => {
    const r = await run('try { null.x } catch (e) { return { stack: String(e.stack), proto: Object.getOwnPropertyNames(Object.getPrototypeOf(e)) } }');
    const v = r.value as { stack: string; proto: string[] };
    expect(v.stack).not.toMatch(/node:|\/work\/|isolated-vm|child-host/);
    expect(v.proto).not.toContain('process');
  });

  it('cannot install Error.prepareStackTrace to read host call sites', async () => {
    const e = await fails('Error.prepareStackTrace = (e, s) => s; return new Error().stack');
    expect(e.kind).toBe('runtime');
    await stillServes();
  });

  it('never runs user getters/toJSON in the host: returned objects are serialised inside the isolate', async () => {
    const r = await run('return { get x() { return typeof process + typeof require }, toJSON() { return { leaked: typeof globalThis.process } } }');
    expect(r.value).toEqual({ leaked: 'undefined' });
  });

  it.each([
    ['process.env', 'return process.env.PATH', /process is not defined/],
    ['require', "return require('fs').readFileSync('/etc/passwd', 'utf8')", /require is not defined/],
    ['fetch', "return fetch('http://example.com')", /fetch is not defined/],
    ['setTimeout', 'setTimeout(() => {}, 10); return 1', /setTimeout is not defined/],
    ['globalThis.process', 'return globalThis.process.env', /Cannot read properties of undefined/],
  ])('has no %s', async (_name, source, message) => {
    const e = await fails(source);
    expect(e.kind).toBe('runtime');
    expect(e.message).toMatch(message);
  });

  it("cannot import('fs')", async () => {
    const e = await fails("const fs = await import('fs'); return fs.readFileSync('/etc/passwd', 'utf8')", { timeoutMs: 500 });
    expect(['runtime', 'timeout']).toContain(e.kind);
    await stillServes();
  });

  it('rejects huge output with a clear output error', async () => {
    const e = await fails("return 'x'.repeat(2_000_000)");
    expect(e.kind).toBe('output');
    expect(e.message).toMatch(/over the sandbox limit of 1000000/);
    await stillServes();
  });

  it.each([
    ['a string', "throw 'boom'", /threw a string \(not an Error\): "boom"/],
    ['an object', 'throw { code: 42 }', /threw an object \(not an Error\): \{"code":42\}/],
    ['null', 'throw null', /threw null/],
    ['undefined', 'throw undefined', /threw undefined/],
    ['a number', 'throw 7', /threw a number \(not an Error\): 7/],
    ['an object with a throwing getter', 'throw { get toJSON() { throw new Error("nope") } }', /threw an object \(not an Error\): \[unserialisable\]/],
    ['a rejected promise with a string', "await Promise.reject('later')", /threw a string \(not an Error\): "later"/],
  ])('reports throwing %s as a runtime error describing the value', async (_name, source, message) => {
    const e = await fails(source);
    expect(e.kind).toBe('runtime');
    expect(e.message).toMatch(message);
    await stillServes();
  });

  it.each([
    ['a function', 'return () => 1', /returned a function/],
    ['a symbol', "return Symbol('s')", /returned a symbol/],
    ['undefined', 'return', /returned undefined/],
    ['a BigInt', 'return 10n', /BigInt/],
    ['a cyclic object', 'const a = {}; a.self = a; return a', /circular/i],
    ['a nested function', 'return { ok: 1, f() {} }', /contains a function at key "f"/],
  ])('rejects returning %s with an output error', async (_name, source, message) => {
    const e = await fails(source);
    expect(e.kind).toBe('output');
    expect(e.message).toMatch(message);
  });

  it('reports a syntax error with line and column in the user code', async () => {
    const e = await fails('const a = 1;\nconst b = ;\nreturn a');
    expect(e.kind).toBe('syntax');
    expect(e.line).toBe(2);
    expect(e.column).toBe(11);
    expect(e.message).toMatch(/evil: SyntaxError: Unexpected token ';' \(line 2, column 11\)/);
  });

  it('refuses code that closes the wrapper function to run at top level', async () => {
    const e = await fails('return 1 }); globalThis.leak = 1; (async function () {');
    expect(e.kind).toBe('syntax');
    // Statements smuggled into an expression stay inside its function; the frozen global refuses the write.
    const e2 = await fails('(globalThis.leak = 1)); (0', { kind: 'expression' });
    expect(e2.message).toMatch(/not extensible/);
    const r = await run('return typeof globalThis.leak');
    expect(r.value).toBe('undefined');
  });
});

describe('sandbox attacks on the host side', () => {
  it('clips a huge error message instead of shipping it', async () => {
    const e = await fails("throw new Error('x'.repeat(5_000_000))");
    expect(e.kind).toBe('runtime');
    expect(e.message.length).toBeLessThan(2100);
    await stillServes();
  });

  it('cannot hide data on frozen shared input for a later call', async () => {
    const shared = new JsonText(JSON.stringify({ a: { b: 1 }, pad: 'x'.repeat(4000) }));
    const call = (source: string) => sb.run({ nodeId: 'evil', kind: 'expression', source, vars: { input: shared } });
    for (let i = 0; i < 3; i++) await call('input.a.b');
    // A write to shared data fails there and is re-run on a private copy; the shared copy stays clean.
    expect((await call('(input.a.stash = "secret", input.a.stash)')).value).toBe('secret');
    expect((await call('input.a.stash === undefined && Object.isFrozen(input.a)')).value).toBe(true);
  });
});
