// Executes a compiled mapping: built-in sources and transforms in the host, all expressions in one sandbox batch.
// Collects every field's problem (not just the first) so one failed run lists everything to fix.
import type { JsonText, Sandbox, SandboxError, LookupSnapshot, LookupSource } from '../../../runtime/node-api.ts';
import type { Condition } from './config.ts';
import type { CompiledCondition, CompiledField, CompiledMap } from './compile.ts';
import { formatPath, getAt, parsePath, setAt, type ParsedPath, type Segment } from './paths.ts';
import { applyTransforms, describe, isEmpty, toDecimal, TransformError } from './transforms.ts';
import { describeKey } from '../../lookup/describe-key.ts';

export interface MapDeps {
  nodeId: string;
  flowId?: string;
  runId?: string;
  sandbox?: Sandbox;
  lookups?: LookupSource;
  trigger?: unknown;
  /** The input as JSON text, handed to the sandbox as is. */
  rawInput?: JsonText;
}

export type SourceKind = 'path' | 'const' | 'lookup' | 'expr' | 'each';

export interface FieldTrace {
  /** Concrete output path, e.g. `lines[2].sku`. */
  target: string;
  kind: SourceKind;
  /** Concrete source path (`lineItems[2].sku`), expression, or `table[key]`. */
  source: string;
  value?: unknown;
  error?: string;
  lookup?: { table: string; version: number; key: Record<string, unknown> };
  /** For a list: how many elements the source had and how many the filter kept (their fields follow). */
  count?: { elements: number; kept: number };
}

export interface FieldProblem {
  target: string;
  source: string;
  message: string;
  code: 'missing' | 'transform' | 'expression' | 'lookup' | 'not-a-list' | 'lookup-table';
  table?: string;
  /** The table's scope (`shared` or the flow id) when it was found. */
  scope?: string;
  key?: Record<string, unknown>;
}

export interface MapResult {
  output: Record<string, unknown>;
  problems: FieldProblem[];
  traces?: FieldTrace[];
  lookupsUsed: Array<{ table: string; scope: string; tableId: number; version: number }>;
  /** A sandbox failure unrelated to the user's code (crash): the step should be retried, not failed. */
  sandboxFailure?: SandboxError;
}

type SiteResult = { ok: true; value: unknown } | { ok: false; message: string };

interface Scope {
  item: unknown;
  parent: unknown;
  index: number | undefined;
  /** Concrete path of `item` from the input, for messages. */
  itemPath: Segment[];
  /** Element indices from the outermost list in, to pick expression results. */
  indices: number[];
  targetPrefix: Segment[];
}

export async function runMap(plan: CompiledMap, input: unknown, deps: MapDeps, opts: { trace?: boolean; timeoutMs?: number } = {}): Promise<MapResult> {
  const problems: FieldProblem[] = [];
  const traces: FieldTrace[] | undefined = opts.trace ? [] : undefined;
  const snapshots = new Map<string, LookupSnapshot | Error>();
  let sandboxFailure: SandboxError | undefined;

  let results: SiteResult[] = [];
  if (plan.sites.length) {
    if (!deps.sandbox) results = plan.sites.map(() => ({ ok: false, message: 'expressions need the sandbox, and none is available here' }));
    else {
      try {
        const vars: Record<string, unknown> = { input: deps.rawInput ?? input };
        if (plan.usesTrigger) vars.trigger = deps.trigger ?? null;
        const r = await deps.sandbox.runBatch({ nodeId: deps.nodeId, vars, expressions: plan.sites, timeoutMs: opts.timeoutMs ?? plan.config.timeoutMs });
        results = r.map((e) => (e.ok ? { ok: true, value: e.value } : { ok: false, message: e.error.message }));
        const crash = r.find((e) => !e.ok && e.error.kind === 'crash');
        if (crash && !crash.ok) sandboxFailure = crash.error;
      } catch (e) {
        const err = e as SandboxError;
        if (err?.name === 'SandboxError' && err.kind === 'crash') sandboxFailure = err;
        results = plan.sites.map(() => ({ ok: false, message: (e as Error).message }));
      }
    }
  }

  const siteValue = (site: number, indices: number[]): SiteResult => {
    const r = results[site];
    // A sandbox that answers fewer expressions than it was given must fail the field, not the whole map.
    if (!r) return { ok: false, message: 'the sandbox gave no result for this expression' };
    if (!r.ok) return r;
    let v = r.value;
    for (const i of indices) v = Array.isArray(v) ? v[i] : undefined;
    if (!Array.isArray(v)) return { ok: false, message: 'the expression gave no result for this element' };
    return v[0] === 1 ? { ok: true, value: v[1] ?? null } : { ok: false, message: String(v[1]) };
  };

  const read = (p: ParsedPath, s: Scope): unknown => {
    switch (p.scope) {
      case 'item':
        return getAt(s.item, p.segments);
      case 'root':
        return getAt(input, p.segments);
      case 'parent':
        return getAt(s.parent, p.segments);
      case 'trigger':
        return getAt(deps.trigger, p.segments);
      case 'index':
        return s.index;
    }
  };
  const where = (p: ParsedPath, s: Scope): string => (p.scope === 'item' ? formatPath([...s.itemPath, ...p.segments]) || '$' : p.text);

  /** The table does not exist (the node API's lookup contract names the error), as opposed to lookups being unavailable. */
  const isMissingTable = (e: Error) => e.name === 'LookupNotFoundError';
  // Every table the mapping names is opened before the fields are walked (the walk is synchronous, opening a table
  // is not); a table counts as used, and its error as a problem, only where a field reaches it.
  const opened = new Map<string, LookupSnapshot | Error>(
    await Promise.all(
      tablesOf(plan).map(async (table): Promise<[string, LookupSnapshot | Error]> => {
        try {
          if (!deps.lookups) throw new Error('no lookup tables are available here');
          return [table, await deps.lookups.snapshot(table, { flowId: deps.flowId })];
        } catch (e) {
          return [table, e as Error];
        }
      }),
    ),
  );
  const snapshot = (table: string): LookupSnapshot | Error => {
    let snap = snapshots.get(table);
    if (!snap) {
      snap = opened.get(table) ?? new Error(`lookup table "${table}" was not opened`);
      snapshots.set(table, snap);
    }
    return snap;
  };

  const mapFields = (fields: CompiledField[], s: Scope, out: Record<string, unknown>) => {
    for (const f of fields) mapField(f, s, out);
  };

  const mapField = (f: CompiledField, s: Scope, out: Record<string, unknown>) => {
    // Messages and traces need concrete paths; they are built only when used, the hot path never formats a path.
    const targetText = () => formatPath([...s.targetPrefix, ...f.target]);
    const src = f.field.source;
    let value: unknown;
    let sourceText: () => string;
    let lookupInfo: FieldTrace['lookup'];
    const fail = (code: FieldProblem['code'], message: (target: string, source: string) => string, extra: Partial<FieldProblem> = {}) => {
      const target = targetText();
      const source = sourceText();
      const m = message(target, source);
      problems.push({ target, source, message: m, code, ...extra });
      traces?.push({ target, kind: src.kind, source, error: m, ...(lookupInfo ? { lookup: lookupInfo } : {}) });
    };
    switch (src.kind) {
      case 'path':
        value = read(f.path!, s);
        sourceText = () => where(f.path!, s);
        break;
      case 'const':
        value = src.value;
        sourceText = () => 'constant';
        break;
      case 'expr': {
        sourceText = () => src.expr;
        const r = siteValue(f.site!, s.indices);
        if (!r.ok)
          return fail('expression', (t) => `target "${t}": expression failed${s.itemPath.length ? ` for ${formatPath(s.itemPath)}` : ''}: ${r.message}`);
        value = r.value;
        break;
      }
      case 'lookup': {
        const key: Record<string, unknown> = {};
        const snap = snapshot(src.table);
        const from = () => f.keyPaths!.map(([, p]) => where(p, s)).join(', ');
        sourceText = () => `lookup ${src.table}[${from()}]`;
        // `missing: "key"` takes a single key path (the config schema checks it); with none, nothing stands in.
        const keyValue = () => {
          const first = f.keyPaths![0];
          return first ? read(first[1], s) : undefined;
        };
        if (snap instanceof Error) {
          if (src.missing === 'key' && isMissingTable(snap)) {
            value = keyValue();
            break;
          }
          return fail('lookup-table', (t) => `target "${t}": ${snap.message}`, { table: src.table });
        }
        for (const [col, p] of f.keyPaths!) {
          if (col !== null && !snap.keyColumns.some((k) => k.name === col)) {
            return fail(
              'lookup',
              (t) => `target "${t}": lookup table "${src.table}" has no key column "${col}" (it has ${snap.keyColumns.map((k) => k.name).join(', ')})`,
              { table: src.table },
            );
          }
          const name = col ?? snap.keyColumns[0]?.name;
          if (name === undefined) return fail('lookup', (t) => `target "${t}": lookup table "${src.table}" has no key columns`, { table: src.table });
          key[name] = read(p, s);
        }
        if (traces) lookupInfo = { table: src.table, version: snap.version, key };
        const column = src.column ?? snap.valueColumns[0];
        if (column === undefined) return fail('lookup', (t) => `target "${t}": lookup table "${src.table}" has no value columns`, { table: src.table });
        if (!snap.valueColumns.includes(column))
          return fail('lookup', (t) => `target "${t}": lookup table "${src.table}" has no column "${column}"`, { table: src.table });
        const row = snap.find(key);
        if (!row && src.missing === 'key') {
          value = keyValue();
          break;
        }
        if (!row)
          return fail(
            'lookup',
            (t) => `target "${t}": lookup table "${src.table}" (version ${snap.version}) has no row for ${describeKey(key)} (from ${from()})`,
            { table: src.table, scope: snap.scope, key },
          );
        value = row[column];
        break;
      }
      case 'each': {
        const e = f.each!;
        sourceText = () => where(e.path, s);
        const list = read(e.path, s);
        if (list === undefined || list === null) {
          if (f.field.required) return fail('missing', (t, so) => `target "${t}": missing required list at source path "${so}"`);
          value = [];
          break;
        }
        if (!Array.isArray(list)) return fail('not-a-list', (t, so) => `target "${t}": source path "${so}" is not a list (got ${describe(list)})`);
        const arr: unknown[] = [];
        const basePath = e.path.scope === 'item' ? [...s.itemPath, ...e.path.segments] : e.path.scope === 'root' ? e.path.segments : [e.path.text];
        const targetBase = [...s.targetPrefix, ...f.target];
        // Listed before its elements' fields, so the mapper UI reads top-down.
        const listTrace: FieldTrace | undefined = traces ? { target: targetText(), kind: 'each', source: sourceText() } : undefined;
        if (listTrace) traces!.push(listTrace);
        for (let i = 0; i < list.length; i++) {
          const el: Scope = {
            item: list[i],
            parent: s.item,
            index: i,
            itemPath: [...basePath, i],
            indices: [...s.indices, i],
            targetPrefix: [...targetBase, arr.length],
          };
          if (e.filter.length && !keepElement(e.filter, el, targetText)) continue;
          const o: Record<string, unknown> = {};
          mapFields(e.fields, el, o);
          arr.push(o);
        }
        value = arr;
        if (listTrace) listTrace.count = { elements: list.length, kept: arr.length };
        break;
      }
    }
    if (f.field.transforms.length) {
      try {
        value = applyTransforms(f.field.transforms, value, (p) => read(parsePath(p), s));
      } catch (e) {
        if (e instanceof TransformError) return fail('transform', (t, so) => `target "${t}": ${e.message} (source ${so})`);
        throw e;
      }
    }
    if (isEmpty(value)) {
      if (f.field.required) return fail('missing', (t, so) => `target "${t}": missing required value at source path "${so}"`);
      traces?.push({ target: targetText(), kind: src.kind, source: sourceText(), value: null, ...(lookupInfo ? { lookup: lookupInfo } : {}) });
      return;
    }
    try {
      setAt(out, f.target, value);
    } catch (e) {
      return fail('transform', (t) => `target "${t}": ${(e as Error).message}`);
    }
    if (traces && src.kind !== 'each')
      traces.push({ target: targetText(), kind: src.kind, source: sourceText(), value, ...(lookupInfo ? { lookup: lookupInfo } : {}) });
  };

  const keepElement = (conds: CompiledCondition[], s: Scope, targetText: () => string): boolean => {
    for (const c of conds) {
      if (c.site !== undefined) {
        const r = siteValue(c.site, s.indices);
        if (!r.ok) {
          const target = targetText();
          problems.push({
            target,
            source: (c.cond as { expr: string }).expr,
            code: 'expression',
            message: `target "${target}": filter expression failed for ${formatPath(s.itemPath)}: ${r.message}`,
          });
          return false;
        }
        if (!r.value) return false;
        continue;
      }
      const cond = c.cond as Exclude<Condition, { expr: string }>;
      try {
        if (!test(cond.op, read(c.path!, s), cond.value)) return false;
      } catch (e) {
        const target = targetText();
        problems.push({
          target,
          source: where(c.path!, s),
          code: 'transform',
          message: `target "${target}": filter on ${where(c.path!, s)}: ${(e as Error).message}`,
        });
        return false;
      }
    }
    return true;
  };

  const output: Record<string, unknown> = {};
  mapFields(plan.fields, { item: input, parent: undefined, index: undefined, itemPath: [], indices: [], targetPrefix: [] }, output);
  const lookupsUsed = [...snapshots.entries()].flatMap(([table, s]) =>
    s instanceof Error ? [] : [{ table, scope: s.scope, tableId: s.id, version: s.version }],
  );
  return { output, problems, traces, lookupsUsed, sandboxFailure };
}

const tablesByPlan = new WeakMap<CompiledMap, string[]>();

/** The lookup tables a mapping's fields name, at any depth (kept per compiled mapping). */
function tablesOf(plan: CompiledMap): string[] {
  let tables = tablesByPlan.get(plan);
  if (!tables) {
    const found = new Set<string>();
    const walk = (fields: CompiledField[]) => {
      for (const f of fields) {
        if (f.field.source.kind === 'lookup') found.add(f.field.source.table);
        if (f.each) walk(f.each.fields);
      }
    };
    walk(plan.fields);
    tablesByPlan.set(plan, (tables = [...found]));
  }
  return tables;
}

function test(op: Exclude<Condition, { expr: string }>['op'], v: unknown, want: unknown): boolean {
  switch (op) {
    case 'eq':
      return same(v, want);
    case 'ne':
      return !same(v, want);
    case 'in':
      return Array.isArray(want) && want.some((w) => same(v, w));
    case 'notIn':
      return !(Array.isArray(want) && want.some((w) => same(v, w)));
    case 'empty':
      return isEmpty(v) || (Array.isArray(v) && v.length === 0);
    case 'notEmpty':
      return !(isEmpty(v) || (Array.isArray(v) && v.length === 0));
    case 'true':
      return v === true;
    case 'false':
      return v === false;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (isEmpty(v)) return false;
      const c = toDecimal(v).comparedTo(toDecimal(want));
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

/** Equality that treats "10.0" and 10 as the same number, and otherwise compares JSON values. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string')) {
    try {
      return toDecimal(a).equals(toDecimal(b));
    } catch {
      return false;
    }
  }
  return JSON.stringify(a) === JSON.stringify(b);
}
