// One isolate + one hardened, long-lived context (runs inside a child host). Creating a context per call costs
// ~1.6 ms, 5x a whole call, so isolation between calls comes from the frozen realm (realm-prelude.js) instead:
// user code runs in strict mode inside its own function scope and cannot add or change any global or intrinsic.
// A slot runs one call at a time, and user code runs on isolated-vm's own thread (async apply), so the child host
// stays free to start other calls in other slots while one spins until its deadline.
import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import type { WireError } from './protocol.ts';
import { syntaxProblemAt, wrapCode } from './syntax.ts';

const PRELUDE = readFileSync(new URL('./realm-prelude.js', import.meta.url), 'utf8');
const MAX_COMPILED = 2000;
/** Hygiene: a long-lived isolate is replaced after this many calls (heap growth, pending promises never settled). */
const RECYCLE_AFTER_CALLS = 50_000;
const RECYCLE_AFTER_ABANDONED = 100;

type Ref = ivm.Reference<any>;
/** A runner function inside the isolate; results are primitives (or copies), typed by the caller. */
interface Fn {
  applySync(receiver: undefined, args: unknown[], opts?: ivm.ReferenceApplyOptions): any;
  apply(receiver: undefined, args: unknown[], opts?: ivm.ReferenceApplyOptions): Promise<any>;
}
type Fns = Record<'validate' | 'define' | 'drop' | 'call' | 'batch' | 'settle' | 'progress' | 'dropData' | 'forget', Fn>;
/** A var as the child holds it: its JSON text, and the resident id when the parent made it resident. */
export interface VarText {
  text: string;
  ref?: number;
}
export type Envelope = { ok: true; json: string } | { ok: false; error: WireError };
/** A compiled function id in the isolate, or the error that stopped it compiling. */
type Compiled = number | WireError;

const MEMORY_MARK = 'memory limit';
const TIMEOUT_MARK = 'Script execution timed out';

export class IsolateSlot {
  private readonly compiled = new Map<string, Compiled>();
  /** Resident data parsed and frozen inside the isolate (id -> chars), oldest first; it shares the heap limit. */
  private readonly held = new Map<number, number>();
  private heldChars = 0;
  private readonly sighted = new Set<number>();
  /** Compiled functions that wrote to their input: they always get private copies. */
  private readonly mutates = new Set<number>();
  private fileSeq = 0;
  private calls = 0;
  private abandoned = 0;
  dead = false;

  /** Built off the host's thread (isolate creation and the realm's hardening take milliseconds, more under load). */
  static async create(memoryMb: number, maxOutputChars: number): Promise<IsolateSlot> {
    const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
    try {
      const context = await isolate.createContext();
      const prelude = await isolate.compileScript(PRELUDE, { filename: 'ledgerline-prelude.js' });
      const factory: Ref = await prelude.run(context, { reference: true });
      const list: Ref = await factory.apply(undefined, [maxOutputChars, memoryMb], { result: { reference: true } });
      const names = ['validate', 'define', 'drop', 'call', 'batch', 'settle', 'progress', 'dropData', 'forget'] as const;
      const fns = Object.fromEntries(names.map((n, i) => [n, list.getSync(i, { reference: true })])) as unknown as Fns;
      factory.release();
      list.release();
      prelude.release();
      return new IsolateSlot(memoryMb, isolate, context, fns);
    } catch (e) {
      if (!isolate.isDisposed) isolate.dispose();
      throw e;
    }
  }

  private constructor(
    readonly memoryMb: number,
    private readonly isolate: ivm.Isolate,
    private readonly context: ivm.Context,
    private readonly fns: Fns,
  ) {}

  get worn(): boolean {
    return this.dead || this.calls > RECYCLE_AFTER_CALLS || this.abandoned > RECYCLE_AFTER_ABANDONED;
  }

  dispose(): void {
    this.dead = true;
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  /** Runs one call. Never rejects: every failure becomes an error envelope. */
  async run(
    seq: number,
    kind: 'function' | 'expression',
    source: string,
    names: string[],
    vars: VarText[],
    timeoutMs: number,
    syncBudgetMs = 0,
  ): Promise<Envelope> {
    const deadline = Date.now() + timeoutMs;
    this.calls++;
    let fn: Compiled;
    try {
      const key = compiledKey(kind, names, source);
      // Only code already compiled here may take the quick path: compiling is left to isolated-vm's thread.
      if (!this.compiled.has(key)) syncBudgetMs = 0;
      fn = await this.compile(kind, names, source);
    } catch (e) {
      return { ok: false, error: this.hostFailure(e, timeoutMs) };
    }
    if (typeof fn !== 'number') return { ok: false, error: fn };
    const [refs, texts] = this.mutates.has(fn) ? fresh(vars) : this.shared(vars);
    const first = await this.attempt(seq, fn, refs, texts, deadline, timeoutMs, syncBudgetMs);
    if (refs === '' || first.ok || first.error.kind !== 'runtime' || this.dead) return first;
    // Shared resident data is frozen. Code that writes to its input fails on it (strict mode: every write to a
    // frozen object throws), so run it again on a private, mutable parse; the code is pure, so a re-run is safe.
    // A function that needed it is remembered and gets private copies from then on.
    const [refs2, texts2] = fresh(vars);
    const second = await this.attempt(seq, fn, refs2, texts2, deadline, timeoutMs);
    // The same error on private data was a genuine one: keep sharing data with this function.
    if (second.ok || second.error.message !== first.error.message) this.mutates.add(fn);
    return second;
  }

  private async attempt(seq: number, fn: number, refs: string, texts: string[], deadline: number, timeoutMs: number, syncBudgetMs = 0): Promise<Envelope> {
    let out: string;
    if (syncBudgetMs > 0) {
      // Code known to be quick runs on the host's thread, saving two thread hops (about half its cost), but only
      // for a few milliseconds: past them it is stopped and run again off the thread with the rest of its time
      // (user code is pure, so a re-run is safe), so it can never hold up the calls beside it for longer.
      const stop = Math.min(deadline, Date.now() + syncBudgetMs);
      try {
        out = this.fns.call.applySync(undefined, [seq, fn, refs, ...texts], { timeout: Math.max(1, stop - Date.now()) });
        if (out === 'p') out = this.fns.settle.applySync(undefined, [seq], { timeout: Math.max(1, stop - Date.now()) }) || 'p';
        return out === 'p' ? this.wait(seq, deadline, timeoutMs) : envelope(out);
      } catch (e) {
        const timedOut = (e instanceof Error ? e.message : String(e)).includes(TIMEOUT_MARK);
        if (!timedOut || stop >= deadline) return { ok: false, error: this.hostFailure(e, timeoutMs) };
        this.safe(() => this.fns.forget.applySync(undefined, [seq], { timeout: 100 }));
      }
    }
    try {
      out = await this.fns.call.apply(undefined, [seq, fn, refs, ...texts], { timeout: Math.max(1, deadline - Date.now()) });
      // An async function's continuations run in the microtask checkpoint that opens the next entry into the
      // isolate, so settle right away (also off this thread: a continuation may spin as long as any code).
      if (out === 'p') out = (await this.fns.settle.apply(undefined, [seq], { timeout: Math.max(1, deadline - Date.now()) })) || 'p';
    } catch (e) {
      return { ok: false, error: this.hostFailure(e, timeoutMs) };
    }
    return out === 'p' ? this.wait(seq, deadline, timeoutMs) : envelope(out);
  }

  /** Still pending: the realm has no timers or I/O, so nothing is expected to resume it; honour the clock anyway. */
  private async wait(seq: number, deadline: number, timeoutMs: number): Promise<Envelope> {
    for (;;) {
      if (Date.now() >= deadline) {
        this.abandoned++;
        this.safe(() => this.fns.forget.applySync(undefined, [seq], { timeout: 100 }));
        return { ok: false, error: { kind: 'timeout', message: `the code did not finish within ${timeoutMs} ms (it awaits a promise that never settles)` } };
      }
      await new Promise((r) => setTimeout(r, Math.min(5, Math.max(1, deadline - Date.now()))));
      if (this.dead) return { ok: false, error: { kind: 'crash', message: 'the isolate was reset while this call was waiting; safe to retry' } };
      try {
        const out: string = await this.fns.settle.apply(undefined, [seq], { timeout: Math.max(1, deadline - Date.now()) });
        if (out) return envelope(out);
      } catch (e) {
        return { ok: false, error: this.hostFailure(e, timeoutMs) };
      }
    }
  }

  /** Evaluates expressions over the same vars; returns the JSON array text of {ok,v}|{ok:false,e} entries. */
  async batch(seq: number, expressions: string[], names: string[], vars: VarText[], timeoutMs: number, syncBudgetMs = 0): Promise<string> {
    this.calls++;
    if (expressions.some((src) => !this.compiled.has(compiledKey('expression', names, src)))) syncBudgetMs = 0;
    try {
      const plan: Array<number | { e: WireError }> = [];
      for (const src of expressions) {
        const c = await this.compile('expression', names, src);
        plan.push(typeof c === 'number' ? c : { e: c });
      }
      const planJson = JSON.stringify(plan);
      const [refs, texts] = this.shared(vars);
      const deadline = Date.now() + timeoutMs;
      let out: string | undefined;
      if (syncBudgetMs > 0) {
        // The quick path of attempt(), for a batch known to be quick.
        try {
          out = this.fns.batch.applySync(undefined, [seq, planJson, refs, ...texts], { timeout: Math.min(timeoutMs, syncBudgetMs) });
        } catch (e) {
          if (!(e instanceof Error && e.message.includes(TIMEOUT_MARK)) || syncBudgetMs >= timeoutMs) throw e;
          this.safe(() => this.fns.forget.applySync(undefined, [seq], { timeout: 100 }));
        }
      }
      out ??= (await this.fns.batch.apply(undefined, [seq, planJson, refs, ...texts], { timeout: Math.max(1, deadline - Date.now()) })) as string;
      // Same frozen-data fallback as run(): any runtime error over shared data earns a re-run on private copies.
      if (refs === '' || !out.includes('"kind":"runtime"')) return out;
      const [refs2, texts2] = fresh(vars);
      return await this.fns.batch.apply(undefined, [seq, planJson, refs2, ...texts2], { timeout: Math.max(1, deadline - Date.now()) });
    } catch (e) {
      const error = this.hostFailure(e, timeoutMs);
      const done: string[] = this.dead ? [] : (this.safe(() => this.fns.progress.applySync(undefined, [seq], { timeout: 100, result: { copy: true } })) ?? []);
      const entries = expressions.map((_, i) => {
        if (i < done.length) return done[i];
        const e2 =
          i === done.length || error.kind !== 'timeout'
            ? error
            : { kind: error.kind, message: `not evaluated: expression #${done.length + 1} of this batch timed out first` };
        return JSON.stringify({ ok: false, e: e2 });
      });
      return '[' + entries.join(',') + ']';
    }
  }

  /** Forgets resident data the parent evicted. */
  forgetData(ref: number): void {
    const size = this.held.get(ref);
    if (size === undefined) return;
    this.held.delete(ref);
    this.heldChars -= size;
    if (!this.dead) this.safe(() => this.fns.dropData.applySync(undefined, [ref]));
  }

  /**
   * refs + texts for the prelude's parseVars. A resident var seen for the second time is parsed once into
   * frozen data kept in the isolate (text '' afterwards); first sightings stay private parses, so data that is
   * never reused costs nothing extra.
   */
  private shared(vars: VarText[]): [string, string[]] {
    if (!vars.some((v) => v.ref !== undefined)) return fresh(vars);
    const budget = this.memoryMb * 32_768; // chars of JSON: parsed, well under the heap limit
    const refs: number[] = [];
    const texts = vars.map((v) => {
      refs.push(0);
      if (v.ref === undefined || v.text.length > budget / 4) return v.text;
      refs[refs.length - 1] = v.ref;
      if (this.held.has(v.ref)) {
        this.held.delete(v.ref);
        this.held.set(v.ref, v.text.length);
        return '';
      }
      if (!this.sighted.has(v.ref)) {
        if (this.sighted.size >= 10_000) this.sighted.clear();
        this.sighted.add(v.ref);
        refs[refs.length - 1] = 0;
        return v.text;
      }
      this.held.set(v.ref, v.text.length);
      this.heldChars += v.text.length;
      for (const [old] of this.held) {
        if (this.heldChars <= budget || old === v.ref) break;
        this.forgetData(old);
      }
      return v.text;
    });
    return refs.some((r) => r !== 0) ? [refs.join(','), texts] : ['', texts];
  }

  private async compile(kind: 'function' | 'expression', names: string[], source: string): Promise<Compiled> {
    const key = compiledKey(kind, names, source);
    const hit = this.compiled.get(key);
    if (hit !== undefined) return hit;
    const result = await this.compileFresh(kind, names, source);
    if (this.compiled.size >= MAX_COMPILED) {
      const [oldKey, oldFn] = this.compiled.entries().next().value as [string, Compiled];
      this.compiled.delete(oldKey);
      if (typeof oldFn === 'number') this.safe(() => this.fns.drop.applySync(undefined, [oldFn]));
    }
    this.compiled.set(key, result);
    return result;
  }

  /** Off the host's thread too: a first call of new code must not hold up the calls beside it. */
  private async compileFresh(kind: 'function' | 'expression', names: string[], source: string): Promise<Compiled> {
    const file = `code-${++this.fileSeq}.js`;
    // The user's first line is wrapper line 2; realm-prelude.js subtracts the same 1 line for runtime errors.
    const wrapper = wrapCode(kind, names, source);
    let script: ivm.Script;
    try {
      script = await this.isolate.compileScript(wrapper, { filename: file });
    } catch (e) {
      return syntaxError(e, file, source);
    }
    // A source that compiles inside the wrapper may still close it early (`}); evil(); (function(){`): only a
    // standalone parse as one function body / expression proves it stays inside.
    const problem: string = await this.fns.validate.apply(undefined, [kind, names, source], { arguments: { copy: true }, timeout: 1000 });
    if (problem) {
      script.release();
      const what = kind === 'function' ? 'a function body' : 'a single expression';
      return { kind: 'syntax', message: `the code must be ${what}: ${problem}` };
    }
    const fnRef: Ref = await script.run(this.context, { reference: true, timeout: 1000 });
    const id: number = await this.fns.define.apply(undefined, [fnRef.derefInto(), file]);
    fnRef.release();
    script.release();
    return id;
  }

  private hostFailure(e: unknown, timeoutMs: number): WireError {
    const message = e instanceof Error ? e.message : String(e);
    if (message.includes(MEMORY_MARK) || this.isolate.isDisposed) {
      this.dispose();
      return { kind: 'memory', message: `the code exceeded its memory limit of ${this.memoryMb} MB` };
    }
    if (message.includes(TIMEOUT_MARK)) return { kind: 'timeout', message: `the code did not finish within ${timeoutMs} ms` };
    this.dispose();
    return { kind: 'crash', message: `the sandbox failed: ${message}` };
  }

  private safe<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch {
      return undefined;
    }
  }
}

const compiledKey = (kind: string, names: string[], source: string) => kind + '\0' + names.join(',') + '\0' + source;

function envelope(out: string): Envelope {
  return out[0] === 'o' ? { ok: true, json: out.slice(1) } : { ok: false, error: JSON.parse(out.slice(1)) as WireError };
}

function fresh(vars: VarText[]): [string, string[]] {
  return ['', vars.map((v) => v.text)];
}

function syntaxError(e: unknown, file: string, source: string): WireError {
  const raw = e instanceof Error ? e.message : String(e);
  const m = new RegExp(`\\s*\\[${file.replace('.', '\\.')}:(\\d+):(\\d+)\\]$`).exec(raw);
  const name = e instanceof Error && e.name && e.name !== 'Error' ? e.name : 'SyntaxError';
  if (!m) return { kind: 'syntax', message: `${name}: ${raw}` };
  return { kind: 'syntax', ...syntaxProblemAt(name, raw.slice(0, m.index), Number(m[1]), Number(m[2]), source) };
}
