// Runs once in each fresh isolate context, before any user code. Plain JS because it executes inside the isolate.
// 1. Hardens the realm so one call cannot leave state for the next: no code generation from strings, no legacy
//    RegExp statics, no async/shared-memory APIs, and every reachable intrinsic plus the global object is frozen.
// 2. Evaluates to the trusted runner [validate, define, drop, call, batch, settle, progress, dropData, forget]. The host holds these
//    as references; nothing reachable from user code points to them (strict mode hides them from `.caller`).
// biome-ignore lint/suspicious/noRedundantUseStrict: this file is evaluated as a script in the isolate, not as a module; strict mode is what hides the runner from `.caller`
'use strict';
(function prelude(maxOutputChars, memoryMb) {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const SyncFunction = Function;
  const { parse, stringify } = JSON;
  const { freeze, getPrototypeOf, getOwnPropertyDescriptor, defineProperty } = Object;
  const ownKeys = Reflect.ownKeys;
  const objectKeys = Object.keys;
  const apply = Reflect.apply;
  const MapCtor = Map;
  const mapGet = Map.prototype.get,
    mapSet = Map.prototype.set,
    mapDelete = Map.prototype.delete;
  const StringCtor = String;
  const isArray = Array.isArray;
  const ErrorCtor = Error;
  const promiseThen = Promise.prototype.then;
  const execRe = RegExp.prototype.exec;

  // --- hardening -------------------------------------------------------------------------------------------
  function noCodegen() {
    throw new EvalError('code generation from strings (eval, Function) is disabled in the sandbox');
  }
  noCodegen.prototype = Function.prototype;
  const fnProtos = [Function.prototype, AsyncFunction.prototype, getPrototypeOf(function* () {}), getPrototypeOf(async function* () {})];
  for (const p of fnProtos) defineProperty(p, 'constructor', { value: noCodegen, writable: false, configurable: false });
  globalThis.Function = noCodegen;
  globalThis.eval = noCodegen;

  // Legacy RegExp statics (RegExp.$1, RegExp.input...) would carry the last match of one call into the next.
  for (const k of ownKeys(RegExp)) {
    if (k !== 'length' && k !== 'name' && k !== 'prototype' && typeof k === 'string') delete RegExp[k];
  }
  // Async/shared-memory/wasm APIs: nothing mapping code needs, and each can run work outside the call's clock
  // or allocate outside the isolate heap limit.
  for (const k of ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef']) {
    delete globalThis[k];
  }

  // Frozen prototypes break plain assignments like `err.name = 'X'` on instances (the "override mistake");
  // turn the commonly overridden properties into accessors whose setter defines an own property instead.
  function allowOverride(obj, key) {
    const d = getOwnPropertyDescriptor(obj, key);
    if (!d || !('value' in d)) return;
    const value = d.value;
    defineProperty(obj, key, {
      configurable: false,
      enumerable: d.enumerable,
      get() {
        return value;
      },
      set(v) {
        if (this === obj) throw new TypeError(`Cannot assign to read only property '${StringCtor(key)}' of a frozen intrinsic`);
        defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  for (const k of ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']) {
    allowOverride(Object.prototype, k);
  }
  for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError]) {
    for (const k of ['name', 'message', 'constructor', 'toString']) allowOverride(E.prototype, k);
  }

  // Filling a huge sparse array (`new Array(1e8).fill(0)`) makes V8 allocate the whole backing store at once,
  // past what isolated-vm's heap-limit callback can catch: V8 aborts the entire sandbox process. An array that
  // cannot fit in the memory limit is refused here instead, as a memory error of this call alone.
  const arrayFill = Array.prototype.fill;
  const maxElements = Math.floor((memoryMb * 1048576) / 8);
  const memoryErrors = new WeakSet();
  const weakAdd = WeakSet.prototype.add,
    weakHas = WeakSet.prototype.has;
  const RangeErrorCtor = RangeError;
  // biome-ignore lint/correctness/noUnusedFunctionParameters: keeps fill.length 1, as the native Array.prototype.fill has
  function fill(value) {
    if (isArray(this) && this.length > maxElements) {
      const e = new RangeErrorCtor(
        `the code exceeded its memory limit of ${memoryMb} MB (Array.prototype.fill on an array of ${this.length} elements; at most ${maxElements} fit)`,
      );
      apply(weakAdd, memoryErrors, [e]);
      throw e;
    }
    // biome-ignore lint/complexity/noArguments: passes the caller's arguments on exactly as given, without a rest parameter changing fill.length
    return apply(arrayFill, this, arguments);
  }
  defineProperty(Array.prototype, 'fill', { value: fill, writable: true, enumerable: false, configurable: true });

  const seen = new WeakSet();
  function deepFreeze(root) {
    const stack = [root];
    while (stack.length) {
      const o = stack.pop();
      if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
      seen.add(o);
      freeze(o);
      stack.push(getPrototypeOf(o));
      for (const k of ownKeys(o)) {
        const d = getOwnPropertyDescriptor(o, k);
        if (!d) continue;
        if ('value' in d) stack.push(d.value);
        else stack.push(d.get, d.set);
      }
    }
  }
  const hidden = [
    function* () {},
    async function* () {},
    async () => {},
    [][Symbol.iterator](),
    new Map()[Symbol.iterator](),
    new Set()[Symbol.iterator](),
    ''[Symbol.iterator](),
    /a/[Symbol.matchAll](''),
    new Intl.Segmenter().segment(''),
    new Intl.Segmenter().segment('')[Symbol.iterator](),
    Promise.resolve(),
    noCodegen,
  ];
  for (const h of hidden) deepFreeze(h);
  deepFreeze(globalThis);

  // --- runner ----------------------------------------------------------------------------------------------
  const fns = new MapCtor(); // id -> { fn, file }
  const pending = new MapCtor(); // call seq -> settled envelope or undefined
  let nextId = 1;

  function outputError(message) {
    return 'e' + stringify({ kind: 'output', message });
  }

  // User values are hostile: every read below may hit a getter or a Proxy trap, so all of it sits in try/catch
  // and runs under the call's time limit.
  function serialize(v) {
    const t = typeof v;
    if (t === 'undefined') return outputError('the code returned undefined; return a JSON value (use null for "nothing")');
    if (t === 'function') return outputError('the code returned a function; only JSON values (object, array, string, number, boolean, null) can be returned');
    if (t === 'symbol') return outputError('the code returned a symbol; only JSON values can be returned');
    if (t === 'bigint') return outputError('the code returned a BigInt; convert it to a string or number first');
    if (v instanceof Promise) return outputError('an expression returned a Promise; expressions must be synchronous');
    let json;
    try {
      json = stringify(v);
    } catch (e) {
      return outputError('the result is not JSON-serialisable: ' + safeMessage(e));
    }
    if (json === undefined) return outputError('the result is not JSON-serialisable');
    if (json.length > maxOutputChars) {
      return outputError(`the result is ${json.length} characters of JSON, over the sandbox limit of ${maxOutputChars}`);
    }
    // JSON.stringify silently drops functions and symbols; say so instead. A walk after a successful stringify
    // (so no cycles) costs a fraction of a stringify replacer, which slows stringify by ~60%.
    let bad;
    try {
      bad = findNonJson(v);
    } catch (e) {
      return outputError('the result is not JSON-serialisable: ' + safeMessage(e));
    }
    if (bad) return outputError(`the result contains a ${bad[0]} at key "${bad[1]}"; only JSON values can be returned`);
    return 'o' + json;
  }
  function findNonJson(root) {
    const values = [root];
    const keys = [''];
    while (values.length) {
      const v = values.pop();
      const k = keys.pop();
      const t = typeof v;
      if (t === 'function' || t === 'symbol') return [t, k];
      if (t !== 'object' || v === null) continue;
      if (isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          values.push(v[i]);
          keys.push(StringCtor(i));
        }
        continue;
      }
      if (typeof v.toJSON === 'function') continue; // serialised through its toJSON, like stringify does
      const ks = objectKeys(v);
      for (let i = 0; i < ks.length; i++) {
        values.push(v[ks[i]]);
        keys.push(ks[i]);
      }
    }
    return undefined;
  }

  function safeMessage(e) {
    try {
      if (e instanceof ErrorCtor) return StringCtor(e.name) + ': ' + StringCtor(e.message);
      return describeThrown(e);
    } catch {
      return 'an unreadable error';
    }
  }

  function clip(s) {
    return s.length > 300 ? s.slice(0, 300) + '…' : s;
  }

  function describeThrown(v) {
    if (v === null) return 'the code threw null (throw an Error to explain what went wrong)';
    const t = typeof v;
    if (t === 'undefined') return 'the code threw undefined (throw an Error to explain what went wrong)';
    if (t === 'string') return 'the code threw a string (not an Error): ' + clip(stringify(v));
    if (t === 'number' || t === 'boolean' || t === 'bigint') return `the code threw a ${t} (not an Error): ${StringCtor(v)}`;
    if (t === 'symbol') return 'the code threw a symbol (not an Error): ' + clip(v.toString());
    if (t === 'function') return 'the code threw a function (not an Error)';
    let text;
    try {
      text = stringify(v);
    } catch {
      text = undefined;
    }
    return 'the code threw ' + (isArray(v) ? 'an array' : 'an object') + ' (not an Error): ' + clip(text === undefined ? '[unserialisable]' : text);
  }

  function position(stack, file) {
    if (typeof stack !== 'string') return undefined;
    const re = new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ':(\\d+):(\\d+)');
    const m = apply(execRe, re, [stack]);
    if (!m) return undefined;
    return { line: +m[1] - 1, column: +m[2] };
  }

  function runtimeError(e, file) {
    try {
      if (apply(weakHas, memoryErrors, [e])) return 'e' + stringify({ kind: 'memory', message: StringCtor(e.message) });
      if (e instanceof ErrorCtor) {
        let message = StringCtor(e.name) + ': ' + StringCtor(e.message);
        if (message.length > 2000) message = message.slice(0, 2000) + '…';
        const pos = position(e.stack, file);
        return 'e' + stringify({ kind: 'runtime', message, line: pos?.line, column: pos?.column });
      }
      return 'e' + stringify({ kind: 'runtime', message: describeThrown(e) });
    } catch {
      return 'e' + stringify({ kind: 'runtime', message: 'the code threw a value that cannot be inspected' });
    }
  }

  // Resident data: JSON the host sends once and then names by id. Parsed once here and deep-frozen, so it can be
  // handed to any number of expressions without a copy: none of them can change it for the next.
  const resident = new MapCtor(); // ref id -> frozen value
  function freezeData(root) {
    const stack = [root];
    while (stack.length) {
      const v = stack.pop();
      if (typeof v !== 'object' || v === null) continue;
      freeze(v);
      if (isArray(v)) for (let i = 0; i < v.length; i++) stack.push(v[i]);
      else for (const k in v) stack.push(v[k]);
    }
    return root;
  }
  // refs: '' (every var parsed fresh, mutable) or comma-separated ids, 0 for a var that is not resident.
  // A resident var whose text is '' is already held here.
  function parseVars(refs, texts) {
    const args = [];
    const ids = refs ? refs.split(',') : undefined;
    for (let i = 0; i < texts.length; i++) {
      const ref = ids ? +ids[i] : 0;
      if (!ref) {
        args.push(parse(texts[i]));
        continue;
      }
      let v = apply(mapGet, resident, [ref]);
      if (v === undefined || texts[i] !== '') {
        v = freezeData(parse(texts[i]));
        apply(mapSet, resident, [ref, v]);
      }
      args.push(v);
    }
    return args;
  }

  return [
    // validate(kind, names, source): '' when `source` is exactly one function body / expression, else a message.
    function validate(kind, names, source) {
      try {
        if (kind === 'function') new AsyncFunction(...names, "'use strict';\n" + source + '\n');
        else new SyncFunction(...names, "'use strict'; return (\n" + source + '\n);');
        return '';
      } catch (e) {
        return safeMessage(e);
      }
    },
    function define(fn, file) {
      const id = nextId++;
      apply(mapSet, fns, [id, { fn, file }]);
      return id;
    },
    function drop(id) {
      apply(mapDelete, fns, [id]);
    },
    // call(seq, id, refs, ...varTexts): 'o'+json | 'e'+errorJson | 'p' (pending: collect with settle(seq) later)
    function call(seq, id, refs, ...texts) {
      const entry = apply(mapGet, fns, [id]);
      let out;
      try {
        out = apply(entry.fn, undefined, parseVars(refs, texts));
      } catch (e) {
        return runtimeError(e, entry.file);
      }
      if (out instanceof Promise) {
        apply(mapSet, pending, [seq, undefined]);
        apply(promiseThen, out, [
          (v) => {
            if (pending.has(seq)) apply(mapSet, pending, [seq, serialize(v)]);
          },
          (e) => {
            if (pending.has(seq)) apply(mapSet, pending, [seq, runtimeError(e, entry.file)]);
          },
        ]);
        return 'p';
      }
      return serialize(out);
    },
    // batch(seq, planJson, refs, ...varTexts): one JSON array text of {ok,v} | {ok:false,e}. The plan lists a function
    // id per expression, or {e} for one that did not compile. Progress is kept so a timeout can name the
    // expression that hung.
    function batch(seq, planJson, refs, ...texts) {
      const plan = parse(planJson);
      const args = parseVars(refs, texts);
      const parts = [];
      apply(mapSet, pending, [seq, parts]);
      for (let i = 0; i < plan.length; i++) {
        const step = plan[i];
        if (typeof step !== 'number') {
          parts.push('{"ok":false,"e":' + stringify(step.e) + '}');
          continue;
        }
        const entry = apply(mapGet, fns, [step]);
        let r;
        try {
          r = serialize(apply(entry.fn, undefined, args));
        } catch (e) {
          r = runtimeError(e, entry.file);
        }
        parts.push(r[0] === 'o' ? '{"ok":true,"v":' + r.slice(1) + '}' : '{"ok":false,"e":' + r.slice(1) + '}');
      }
      apply(mapDelete, pending, [seq]);
      return '[' + parts.join(',') + ']';
    },
    // settle(seq): the envelope once the async call settled, '' while it is still pending.
    function settle(seq) {
      const v = apply(mapGet, pending, [seq]);
      if (typeof v !== 'string') return '';
      apply(mapDelete, pending, [seq]);
      return v;
    },
    // progress(seq): the finished entries of an interrupted batch (the one after them is the one that hung).
    function progress(seq) {
      const v = apply(mapGet, pending, [seq]);
      apply(mapDelete, pending, [seq]);
      return isArray(v) ? v.slice() : [];
    },
    function dropData(ref) {
      apply(mapDelete, resident, [ref]);
    },
    function forget(seq) {
      apply(mapDelete, pending, [seq]);
    },
  ];
});
