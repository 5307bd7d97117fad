// Reports every problem in a flow document, each naming where it is (node id, edge id or `flow`) and its JSON path.
import { z } from 'zod';
import { flowSchema, type Flow } from './schema.ts';
import { migrateFlow } from './migrate.ts';
import type { NodeTypeLookup, NodeTypeSpec } from './node-spec.ts';
import { configProblemText } from './problem-text.ts';

export interface Problem {
  /** The node id, edge id, or `flow` for problems of the whole document. */
  where: string;
  /** JSON path, e.g. `$.nodes[2].config.code`. */
  path: string;
  message: string;
}

export type { NodeTypeLookup, NodeTypeSpec };

export type ValidationResult = { ok: true; flow: Flow; problems: [] } | { ok: false; flow?: Flow; problems: Problem[] };

export function jsonPath(segments: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

/** Names the element a zod issue path points into, using the raw document so even invalid elements get their id. */
function whereOf(doc: unknown, segments: ReadonlyArray<PropertyKey>): string {
  const [list, index] = segments;
  if ((list === 'nodes' || list === 'edges') && typeof index === 'number') {
    const el = (doc as Record<string, unknown[]>)?.[list]?.[index] as { id?: unknown } | undefined;
    if (el && typeof el.id === 'string' && el.id) return el.id;
    return `${list === 'nodes' ? 'node' : 'edge'}#${index}`;
  }
  return 'flow';
}

/** How deeply a flow document may nest (objects and arrays); real flows stay under 15. */
export const MAX_DEPTH = 64;

/** The first place a document nests deeper than MAX_DEPTH, walked iteratively (no stack to overflow). */
export function depthProblem(doc: unknown, max = MAX_DEPTH): Problem | undefined {
  const stack: Array<[unknown, number, PropertyKey | null, number]> = [[doc, 0, null, -1]];
  // Paths are rebuilt only for the offending value: each entry keeps its parent's index in `seen`.
  const seen: Array<{ key: PropertyKey | null; parent: number }> = [];
  while (stack.length) {
    const [v, depth, key, parent] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const me = seen.push({ key, parent }) - 1;
    if (depth >= max) {
      const path: PropertyKey[] = [];
      for (let e = seen[me]; e && e.key !== null; e = seen[e.parent]) path.unshift(e.key);
      const where = whereOf(doc, path);
      return { where, path: jsonPath(path), message: `nested more than ${max} levels deep; a flow document may nest at most ${max} levels` };
    }
    if (Array.isArray(v))
      v.forEach((x, i) => {
        stack.push([x, depth + 1, i, me]);
      });
    else for (const [k, x] of Object.entries(v)) stack.push([x, depth + 1, k, me]);
  }
  return undefined;
}

/**
 * The document's structure alone (schema version, the flow schema, unique node and edge ids), without the node
 * types: what the client role's edits are checked against before they are compared with the published version.
 */
export function structureProblems(input: unknown): Problem[] {
  const deep = depthProblem(input);
  if (deep) return [deep];
  const migrated = migrateFlow(input);
  if (!migrated.ok) return [{ where: 'flow', path: '$.schemaVersion', message: migrated.message }];
  const parsed = flowSchema.safeParse(migrated.doc);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ where: whereOf(migrated.doc, i.path), path: jsonPath(i.path), message: i.message }));
  const problems: Problem[] = [];
  for (const list of ['nodes', 'edges'] as const) {
    const first = new Map<string, number>();
    parsed.data[list].forEach((el, i) => {
      if (first.has(el.id))
        problems.push({
          where: el.id,
          path: `$.${list}[${i}].id`,
          message: `duplicate ${list === 'nodes' ? 'node' : 'edge'} id "${el.id}" (also at $.${list}[${first.get(el.id)}])`,
        });
      else first.set(el.id, i);
    });
  }
  return problems;
}

/** A connection the host keeps, as validation needs it: its id and kind (`shopify`, `erp`). */
export interface KnownConnection {
  id: string;
  kind: string;
}

export interface ValidateOptions {
  /**
   * The host's connections. Given, a config field that declares the kind of connection it names (CONNECTION_KIND)
   * and names a connection of another kind is a problem; ids not in the list are left to the caller.
   */
  connections?: ReadonlyArray<KnownConnection>;
  /**
   * With `connections`: they are every connection there is (a server's vault), so a field naming one not among them
   * is a problem too (a flow imported from another install, a connection deleted since). Without it, ids not in the
   * list are left to the caller (the CLI validates a file for an install it does not know).
   */
  connectionsComplete?: boolean;
  /**
   * The sandbox's parse (runtime/sandbox/syntax.ts). Given, code in config fields that declare it (SANDBOX_CODE: a code
   * node's body, a branch condition, a mapping expression) must parse: the message of what does not, else null.
   */
  codeSyntax?: (kind: SandboxCodeKind, source: string) => string | null;
}

/**
 * The metadata key by which a config field declares that it holds sandboxed code, and which kind: `'function'` (the
 * body of an async function) or `'expression'` (runtime/node-api.ts `sandboxCodeMeta`).
 */
export const SANDBOX_CODE = 'x-sandbox-code';
export type SandboxCodeKind = 'function' | 'expression';

export function validateFlow(input: unknown, lookup: NodeTypeLookup, opts: ValidateOptions = {}): ValidationResult {
  const deep = depthProblem(input);
  if (deep) return { ok: false, problems: [deep] };
  const migrated = migrateFlow(input);
  if (!migrated.ok) return { ok: false, problems: [{ where: 'flow', path: '$.schemaVersion', message: migrated.message }] };
  const doc = migrated.doc;
  const parsed = flowSchema.safeParse(doc);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ where: whereOf(doc, i.path), path: jsonPath(i.path), message: i.message })),
    };
  }
  const flow = parsed.data;
  const problems = checkGraph(flow, lookup);
  if (opts.connections) problems.push(...connectionKindProblems(flow, lookup, opts.connections, opts.connectionsComplete));
  if (opts.codeSyntax) problems.push(...codeSyntaxProblems(flow, lookup, opts.codeSyntax));
  return problems.length ? { ok: false, flow, problems } : { ok: true, flow, problems: [] };
}

function checkGraph(flow: Flow, lookup: NodeTypeLookup): Problem[] {
  const problems: Problem[] = [];
  const add = (where: string, path: string, message: string) => problems.push({ where, path, message });
  const nodeIndex = new Map<string, number>();
  const types = new Map<string, NodeTypeSpec>();

  flow.nodes.forEach((node, i) => {
    const at = `$.nodes[${i}]`;
    if (nodeIndex.has(node.id)) add(node.id, `${at}.id`, `duplicate node id "${node.id}" (also at $.nodes[${nodeIndex.get(node.id)}])`);
    else nodeIndex.set(node.id, i);
    const type = lookup(node.type);
    if (!type) {
      add(node.id, `${at}.type`, `unknown node type "${node.type}"`);
      return;
    }
    types.set(node.id, type);
    if (node.typeVersion !== undefined && node.typeVersion > type.version) {
      add(node.id, `${at}.typeVersion`, `node type "${node.type}" version ${node.typeVersion} is newer than the installed version ${type.version}`);
    }
    const config = type.config.safeParse(node.config);
    if (!config.success) {
      for (const issue of config.error.issues)
        add(node.id, jsonPath(['nodes', i, 'config', ...issue.path]), configProblemText(type, issue, node.config, node.name));
    }
  });

  const edgeIds = new Map<string, number>();
  const outgoing = new Map<string, string[]>();
  const incoming = new Map<string, number>();
  flow.edges.forEach((edge, i) => {
    const at = `$.edges[${i}]`;
    if (edgeIds.has(edge.id)) add(edge.id, `${at}.id`, `duplicate edge id "${edge.id}" (also at $.edges[${edgeIds.get(edge.id)}])`);
    else edgeIds.set(edge.id, i);
    let ok = true;
    if (!nodeIndex.has(edge.source)) {
      add(edge.id, `${at}.source`, `edge source "${edge.source}" is not a node of this flow`);
      ok = false;
    }
    if (!nodeIndex.has(edge.target)) {
      add(edge.id, `${at}.target`, `edge target "${edge.target}" is not a node of this flow`);
      ok = false;
    }
    const src = types.get(edge.source);
    const dst = types.get(edge.target);
    if (src) {
      const ports = src.outputs.map((p) => p.id);
      if (edge.sourceHandle !== undefined && !ports.includes(edge.sourceHandle)) {
        add(
          edge.id,
          `${at}.sourceHandle`,
          `node "${edge.source}" (${src.type}) has no output port "${edge.sourceHandle}"; ports: ${ports.join(', ') || 'none'}`,
        );
        ok = false;
      } else if (edge.sourceHandle === undefined && ports.length > 1) {
        add(edge.id, `${at}.sourceHandle`, `node "${edge.source}" (${src.type}) has several output ports (${ports.join(', ')}); say which one`);
      } else if (ports.length === 0) {
        add(edge.id, `${at}.source`, `node "${edge.source}" (${src.type}) has no output ports`);
        ok = false;
      }
    }
    if (dst) {
      const ports = dst.inputs.map((p) => p.id);
      if (ports.length === 0) {
        add(edge.id, `${at}.target`, `node "${edge.target}" (${dst.type}) takes no input${dst.trigger ? ': a trigger starts the flow' : ''}`);
        ok = false;
      } else if (edge.targetHandle !== undefined && !ports.includes(edge.targetHandle)) {
        add(edge.id, `${at}.targetHandle`, `node "${edge.target}" (${dst.type}) has no input port "${edge.targetHandle}"; ports: ${ports.join(', ')}`);
        ok = false;
      }
    }
    if (ok) {
      if (!outgoing.has(edge.source)) outgoing.set(edge.source, []);
      outgoing.get(edge.source)!.push(edge.target);
      incoming.set(edge.target, (incoming.get(edge.target) ?? 0) + 1);
    }
  });

  // Checks a node type makes against the nodes it feeds (e.g. a mapping fills every required field of the next node).
  flow.nodes.forEach((node, i) => {
    const type = types.get(node.id);
    if (!type?.check) return;
    const config = type.config.safeParse(node.config);
    if (!config.success) return;
    const next = (outgoing.get(node.id) ?? []).flatMap((id) => (types.get(id) ? [{ nodeId: id, type: types.get(id)! }] : []));
    for (const p of type.check(config.data, { next })) add(node.id, jsonPath(['nodes', i, 'config', ...p.path]), p.message);
  });

  const triggers = flow.nodes.filter((n) => types.get(n.id)?.trigger);
  const [trigger, ...extraTriggers] = triggers;
  if (!trigger) add('flow', '$.nodes', 'the flow has no trigger node: add one to start it (Shopify event, Schedule, Webhook or Manual trigger)');
  else
    for (const extra of extraTriggers) {
      add(extra.id, `$.nodes[${nodeIndex.get(extra.id)}]`, `more than one trigger: "${trigger.id}" already starts this flow`);
    }

  for (const cycle of findCycles(
    flow.nodes.map((n) => n.id),
    outgoing,
  )) {
    const head = cycle[0]!; // a strongly connected component is never empty
    const at = nodeIndex.get(head);
    add(head, `$.nodes[${at}]`, `cycle: ${[...cycle, head].join(' -> ')}`);
  }

  if (trigger) {
    const reached = new Set<string>();
    const stack = [trigger.id];
    while (stack.length) {
      const id = stack.pop()!;
      if (reached.has(id)) continue;
      reached.add(id);
      stack.push(...(outgoing.get(id) ?? []));
    }
    // Where the chain is broken: a node nothing leads into is the missing link; one after it is cut off by it.
    const from = new Map<string, string[]>();
    for (const [src, targets] of outgoing) for (const t of targets) from.set(t, [...(from.get(t) ?? []), src]);
    flow.nodes.forEach((n, i) => {
      if (reached.has(n.id) || types.get(n.id)?.trigger) return;
      const before = [...new Set(from.get(n.id) ?? [])];
      add(
        n.id,
        `$.nodes[${i}]`,
        `node "${n.id}" is unreachable from the trigger "${trigger.id}": ` +
          (before.length
            ? `it comes after ${before.map((x) => `"${x}"`).join(', ')}, which ${before.length === 1 ? 'is' : 'are'} not reached either`
            : 'no edge leads into it (connect it to the node before it)'),
      );
    });
  }
  return problems;
}

/**
 * The metadata key by which a node type's config field declares the kind of connection it names, e.g.
 * `.meta({ 'x-connection-kind': 'shopify' })` (runtime/node-api.ts `connectionKindMeta`); the catalogue's JSON Schema
 * carries it to the designer, whose picker offers only connections of that kind.
 */
export const CONNECTION_KIND = 'x-connection-kind';

/** One config value naming a connection: where in the config, the kind its field takes, and the id given. */
export interface ConnectionRef {
  path: PropertyKey[];
  kind: string;
  id: string;
}

type Def = { type: string } & Record<string, any>;
const defOf = (s: z.core.$ZodType): Def => s._zod.def as unknown as Def;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The connection ids a node's config names in fields that declare a kind, walking the config schema (objects,
 * arrays, records, optional/default wrappers, unions by the options the value fits) alongside the raw config.
 */
export function connectionRefs(schema: z.core.$ZodType, config: unknown): ConnectionRef[] {
  return markedValues(schema, config, CONNECTION_KIND).map(({ path, mark, value }) => ({ path, kind: mark, id: value }));
}

/**
 * The non-empty string values of a config whose fields carry the metadata `key` (a string), with that metadata, walking
 * the config schema (objects, arrays, records, optional/default wrappers, unions by the options the value fits)
 * alongside the raw config.
 */
export function markedValues(schema: z.core.$ZodType, config: unknown, key: string): Array<{ path: PropertyKey[]; mark: string; value: string }> {
  const out: Array<{ path: PropertyKey[]; mark: string; value: string }> = [];
  const seen = new Set<string>();
  let budget = 10_000; // a lazy schema that never descends into the value must still end
  const walk = (s: z.core.$ZodType | null | undefined, v: unknown, path: PropertyKey[]): void => {
    if (!s || --budget < 0 || v === undefined) return;
    const mark = z.globalRegistry.get(s as z.ZodType)?.[key];
    if (typeof mark === 'string') {
      const at = jsonPath(path);
      if (typeof v === 'string' && v !== '' && !seen.has(at)) {
        seen.add(at);
        out.push({ path, mark, value: v });
      }
      return;
    }
    const d = defOf(s);
    switch (d.type) {
      case 'object':
        if (isRecord(v)) for (const [k, sub] of Object.entries(d.shape as Record<string, z.core.$ZodType>)) walk(sub, v[k], [...path, k]);
        return;
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
      case 'nonoptional':
        walk(d.innerType, v, path);
        return;
      case 'pipe':
        walk(d.in, v, path);
        return;
      case 'lazy':
        // The schema's own memoised inner type: calling the getter builds a new schema each time (and zod compiles
        // each new one on its first parse), which made every mapped field cost a few milliseconds to validate.
        walk(((s as { _zod: { innerType?: z.core.$ZodType } })._zod.innerType ?? d.getter()) as z.core.$ZodType, v, path);
        return;
      case 'array':
        if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(d.element, x, [...path, i]);
        return;
      case 'tuple':
        if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(d.items[i] ?? d.rest, x, [...path, i]);
        return;
      case 'record':
        if (isRecord(v)) for (const [k, x] of Object.entries(v)) walk(d.valueType, x, [...path, k]);
        return;
      case 'intersection':
        walk(d.left, v, path);
        walk(d.right, v, path);
        return;
      case 'union': {
        const options = d.options as z.ZodType[];
        // A discriminated union's option is the one whose discriminator value the value carries: no trial parses
        // (each failing one builds its issues), which were most of what validating a large mapping cost.
        const tag = typeof d.discriminator === 'string' && isRecord(v) ? { key: d.discriminator, value: v[d.discriminator] } : null;
        const byDisc = tag
          ? options.filter((o) => (o as { _zod: { propValues?: Record<string, Set<unknown>> } })._zod.propValues?.[tag.key]?.has(tag.value))
          : [];
        const fit = byDisc.length ? byDisc : options.filter((o) => typeof o.safeParse !== 'function' || o.safeParse(v).success);
        for (const o of fit.length ? fit : options) walk(o, v, path);
        return;
      }
      default:
        return;
    }
  };
  walk(schema, config, []);
  return out;
}

/**
 * Code in config fields that declare it (SANDBOX_CODE) that does not parse, each as a problem on its node and field:
 * found when the flow is validated or published, not by the first live event that runs it.
 */
export function codeSyntaxProblems(flow: Flow, lookup: NodeTypeLookup, parse: NonNullable<ValidateOptions['codeSyntax']>): Problem[] {
  const problems: Problem[] = [];
  flow.nodes.forEach((node, i) => {
    // A node's idempotency key is an expression over `input` and `trigger` (a plain path is one too).
    const key = node.idempotencyKey ? parse('expression', node.idempotencyKey) : null;
    if (key) problems.push({ where: node.id, path: jsonPath(['nodes', i, 'idempotencyKey']), message: key });
    const type = lookup(node.type);
    if (!type) return;
    for (const code of markedValues(type.config, node.config, SANDBOX_CODE)) {
      const problem = parse(code.mark === 'expression' ? 'expression' : 'function', code.value);
      if (problem) problems.push({ where: node.id, path: jsonPath(['nodes', i, 'config', ...code.path]), message: problem });
    }
  });
  return problems;
}

const KIND_NAMES: Record<string, [article: string, name: string]> = { shopify: ['a', 'Shopify'], erp: ['an', 'ERP'] };
const kindText = (kind: string) => {
  const [article, name] = KIND_NAMES[kind] ?? ['a', JSON.stringify(kind)];
  return `${article} ${name} connection`;
};

/**
 * Config fields naming a connection of another kind than they declare (a Shopify trigger given the ERP), each as a
 * problem on its node and field. A connection not in `connections` is one too when they are `complete` (a server's
 * vault), and left to the caller otherwise.
 */
export function connectionKindProblems(flow: Flow, lookup: NodeTypeLookup, connections: ReadonlyArray<KnownConnection>, complete = false): Problem[] {
  const kinds = new Map(connections.map((c) => [c.id, c.kind]));
  const problems: Problem[] = [];
  flow.nodes.forEach((node, i) => {
    const type = lookup(node.type);
    if (!type) return;
    for (const ref of connectionRefs(type.config, node.config)) {
      const actual = kinds.get(ref.id);
      if (actual === ref.kind || (actual === undefined && !complete)) continue;
      const field = ref.path.length === 1 && ref.path[0] === 'connection' ? 'this node' : `its field ${jsonPath(ref.path).slice(2)}`;
      const fitting = connections.filter((c) => c.kind === ref.kind).map((c) => c.id);
      const others = fitting.length
        ? ` (${fitting.slice(0, 5).join(', ')}${fitting.length > 5 ? ', …' : ''})`
        : actual === undefined
          ? ': create one under Settings → Connections'
          : '';
      const what = actual === undefined ? `there is no connection ${JSON.stringify(ref.id)} here` : `${JSON.stringify(ref.id)} is ${kindText(actual)}`;
      problems.push({ where: node.id, path: jsonPath(['nodes', i, 'config', ...ref.path]), message: `${what}; ${field} takes ${kindText(ref.kind)}${others}` });
    }
  });
  return problems;
}

/**
 * Each cycle once, as the list of node ids along it (Tarjan's strongly connected components), walked with an
 * explicit stack: a 20,000-node chain would overflow the call stack of the recursive form.
 */
function findCycles(ids: string[], outgoing: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  for (const root of new Set(ids)) {
    if (index.has(root)) continue;
    // Each frame: the node and how many of its successors have been looked at.
    const frames: Array<{ v: string; next: number }> = [];
    const enter = (v: string) => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      frames.push({ v, next: 0 });
    };
    enter(root);
    for (let f = frames.at(-1); f !== undefined; f = frames.at(-1)) {
      const succ = outgoing.get(f.v) ?? [];
      const w = succ[f.next];
      if (w !== undefined) {
        f.next++;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(f.v, Math.min(low.get(f.v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      const caller = frames.at(-1);
      if (caller) {
        const parent = caller.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(f.v)!));
      }
      if (low.get(f.v) === index.get(f.v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== f.v);
        const selfLoop = succ.includes(f.v);
        if (scc.length > 1 || selfLoop) cycles.push(scc.reverse());
      }
    }
  }
  return cycles;
}

export const formatProblem = (p: Problem) => `${p.where} ${p.path}: ${p.message}`;
export type { z };
