// Turns a mapping config into a walkable plan: parsed paths, and every `expr` (field or filter) rewritten as ONE
// sandbox expression that evaluates it over all elements of its lists, so a map call needs one runBatch round trip.
import type { Condition, Field, MapConfig } from './config.ts';
import { jsAccessor, parsePath, type ParsedPath, type Segment } from './paths.ts';

export interface CompiledField {
  field: Field;
  target: Segment[];
  path?: ParsedPath;
  keyPaths?: Array<[column: string | null, ParsedPath]>;
  /** Index into `CompiledMap.sites` when the source is an expression. */
  site?: number;
  each?: CompiledEach;
}

export interface CompiledEach {
  path: ParsedPath;
  filter: CompiledCondition[];
  fields: CompiledField[];
}

export interface CompiledCondition {
  cond: Condition;
  path?: ParsedPath;
  site?: number;
}

export interface CompiledMap {
  config: MapConfig;
  fields: CompiledField[];
  /** Sandbox sources, one per expression in the config. Depth-d results are d-level nested arrays by element index. */
  sites: string[];
  usesTrigger: boolean;
}

const itemVar = (depth: number) => (depth === 0 ? 'input' : `__i${depth}`);
const indexVar = (depth: number) => (depth === 0 ? 'undefined' : `__x${depth}`);
const parentVar = (depth: number) => (depth === 0 ? 'undefined' : itemVar(depth - 1));

function accessor(p: ParsedPath, depth: number): string {
  switch (p.scope) {
    case 'item':
      return jsAccessor(itemVar(depth), p.segments);
    case 'root':
      return jsAccessor('input', p.segments);
    case 'parent':
      return jsAccessor(parentVar(depth), p.segments);
    case 'trigger':
      return jsAccessor('trigger', p.segments);
    case 'index':
      return indexVar(depth);
  }
}

function siteSource(expr: string, chain: ParsedPath[]): string {
  const d = chain.length;
  const call = `__f(${itemVar(d)}, ${indexVar(d)}, ${parentVar(d)})`;
  // Innermost list first: the list at depth k maps its elements to the variables of depth k + 1.
  const body = chain.reduceRight((inner, p, k) => `__A(${accessor(p, k)}).map((${itemVar(k + 1)}, ${indexVar(k + 1)}) => ${inner})`, call);
  // `item`, `index`, `parent` are the element, its position and the enclosing element; `input` is the map's input.
  return (
    `(() => { const __A = (v) => Array.isArray(v) ? v : []; ` +
    `const __f = (item, index, parent) => { try { return [1, (${expr}\n)]; } catch (e) { return [0, String(e && e.message !== undefined ? e.message : e)]; } }; ` +
    `return ${body}; })()`
  );
}

export function compileMap(config: MapConfig): CompiledMap {
  const sites: string[] = [];
  const compileFields = (fields: Field[], chain: ParsedPath[]): CompiledField[] =>
    fields.map((field) => {
      const c: CompiledField = { field, target: parsePath(field.target).segments };
      const s = field.source;
      if (s.kind === 'path') c.path = parsePath(s.path);
      else if (s.kind === 'lookup') {
        c.keyPaths = typeof s.key === 'string' ? [[null, parsePath(s.key)]] : Object.entries(s.key).map(([col, p]) => [col, parsePath(p)]);
      } else if (s.kind === 'expr') {
        c.site = sites.push(siteSource(s.expr, chain)) - 1;
      } else if (s.kind === 'each') {
        const path = parsePath(s.path);
        const inner = [...chain, path];
        c.each = {
          path,
          filter: s.filter.map((cond) =>
            'expr' in cond ? { cond, site: sites.push(siteSource(cond.expr, inner)) - 1 } : { cond, path: parsePath(cond.path) },
          ),
          fields: compileFields(s.fields, inner),
        };
      }
      return c;
    });
  const fields = compileFields(config.fields, []);
  const usesTrigger = sites.some((s) => /\btrigger\b/.test(s));
  return { config, fields, sites, usesTrigger };
}

const compiled = new Map<string, CompiledMap>();
/** The executor parses a node's config once per flow version, so the same object comes back for every step. */
const byObject = new WeakMap<MapConfig, CompiledMap>();

/** Compiles once per distinct config: by the config object first (no key to make), else by its text. */
export function compileCached(config: MapConfig): CompiledMap {
  const hit = byObject.get(config);
  if (hit) return hit;
  const key = JSON.stringify(config);
  let c = compiled.get(key);
  if (!c) {
    if (compiled.size >= 500) compiled.delete(compiled.keys().next().value as string);
    c = compileMap(config);
    compiled.set(key, c);
  }
  byObject.set(config, c);
  return c;
}
