// Shopify's rules for a bulk query document and the JSONL it produces
// (https://shopify.dev/docs/api/usage/bulk-operations/queries): one top-level field, at least one connection, at most
// five connections, connections nested at most two deep, no top-level `node`/`nodes`. Each node of a connection is one
// JSONL line; a node of a nested connection carries `__parentId`, the id of the node it belongs to.
import {
  Kind,
  getNamedType,
  isCompositeType,
  isListType,
  getNullableType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { connectionNodeType, isConnectionType } from '../cost.ts';

export const MAX_CONNECTIONS = 5;
export const MAX_CONNECTION_DEPTH = 2;

type Fields = Record<string, GraphQLField<unknown, unknown>>;

function fieldsOf(t: GraphQLCompositeType): Fields | undefined {
  return 'getFields' in t ? (t.getFields() as Fields) : undefined;
}

function operationOf(doc: DocumentNode): { op: OperationDefinitionNode | undefined; fragments: Record<string, FragmentDefinitionNode> } {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let op: OperationDefinitionNode | undefined;
  for (const d of doc.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    if (d.kind === Kind.OPERATION_DEFINITION) op ??= d;
  }
  return { op, fragments };
}

/** The node selection of a connection field: `nodes { … }` or `edges { node { … } }`. */
function nodeSelections(set: SelectionSetNode | undefined): SelectionSetNode[] {
  const out: SelectionSetNode[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind !== Kind.FIELD) continue;
    if (s.name.value === 'nodes' && s.selectionSet) out.push(s.selectionSet);
    if (s.name.value === 'edges')
      for (const e of s.selectionSet?.selections ?? []) if (e.kind === Kind.FIELD && e.name.value === 'node' && e.selectionSet) out.push(e.selectionSet);
  }
  return out;
}

/** Problems with a bulk query document, as Shopify's userErrors would state them; empty when it may run. */
export function checkBulkQuery(schema: GraphQLSchema, doc: DocumentNode): string[] {
  const { op, fragments } = operationOf(doc);
  if (op?.operation !== 'query') return ['Bulk queries must be a query operation.'];
  const top = op.selectionSet.selections.filter((s) => s.kind !== Kind.FIELD || !s.name.value.startsWith('__'));
  const [first] = top;
  if (top.length !== 1 || first?.kind !== Kind.FIELD) return ['Bulk queries must select exactly one top-level field.'];
  if (first.name.value === 'node' || first.name.value === 'nodes') return ["The top-level 'node' and 'nodes' fields can't be used in bulk queries."];
  const problems: string[] = [];
  let connections = 0;
  const walk = (parent: GraphQLCompositeType, set: SelectionSetNode | undefined, depth: number) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? (schema.getType(s.typeCondition.name.value) as GraphQLCompositeType) : parent;
        walk(t, s.selectionSet, depth);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments[s.name.value];
        if (f) walk(schema.getType(f.typeCondition.name.value) as GraphQLCompositeType, f.selectionSet, depth);
        continue;
      }
      const def = fieldsOf(parent)?.[s.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;
      if (isConnectionType(named)) {
        connections++;
        if (depth + 1 > MAX_CONNECTION_DEPTH)
          problems.push(`Bulk queries cannot contain connections with a nesting depth greater than ${MAX_CONNECTION_DEPTH} ('${s.name.value}').`);
        const nodeType = connectionNodeType(named as import('graphql').GraphQLObjectType);
        for (const ns of nodeSelections(s.selectionSet)) walk(nodeType, ns, depth + 1);
      } else {
        if (depth > 0 && isListType(getNullableType(def.type)) && hasConnection(schema, named as GraphQLCompositeType, s.selectionSet, fragments)) {
          problems.push(`Queries that contain a connection field within a list field are not currently supported ('${s.name.value}').`);
        }
        walk(named as GraphQLCompositeType, s.selectionSet, depth);
      }
    }
  };
  walk(schema.getQueryType()!, op.selectionSet, 0);
  if (connections === 0) problems.push('Bulk queries must contain at least one connection.');
  if (connections > MAX_CONNECTIONS) problems.push(`Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections (found ${connections}).`);
  return [...new Set(problems)];
}

function hasConnection(
  schema: GraphQLSchema,
  t: GraphQLCompositeType,
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      const def = fieldsOf(t)?.[s.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (isConnectionType(named)) return true;
      if (isCompositeType(named) && hasConnection(schema, named, s.selectionSet, fragments)) return true;
    } else if (
      s.kind === Kind.INLINE_FRAGMENT &&
      hasConnection(schema, s.typeCondition ? (schema.getType(s.typeCondition.name.value) as GraphQLCompositeType) : t, s.selectionSet, fragments)
    )
      return true;
    else if (s.kind === Kind.FRAGMENT_SPREAD) {
      const f = fragments[s.name.value];
      if (f && hasConnection(schema, schema.getType(f.typeCondition.name.value) as GraphQLCompositeType, f.selectionSet, fragments)) return true;
    }
  }
  return false;
}

type Obj = Record<string, unknown>;

/**
 * Turns the executed result of a bulk query into JSONL lines. Connection fields are cut out of their parent: their
 * nodes become lines of their own, with `__parentId` when nested. `grouped` puts each parent's children right after
 * it; otherwise children follow all of their parents' lines, as Shopify does not promise an order without grouping.
 */
export function flattenBulkResult(schema: GraphQLSchema, doc: DocumentNode, data: Obj, grouped: boolean): { lines: string[]; roots: number } {
  const { op, fragments } = operationOf(doc);
  const lines: string[] = [];
  const deferred: string[][] = [];
  let roots = 0;

  // Strips connections out of `obj` (in place), returning the child lines they produced.
  const strip = (parent: GraphQLCompositeType, set: SelectionSetNode | undefined, obj: Obj, parentId: string | undefined, depth: number): string[][] => {
    const out: string[][] = [];
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const t = s.typeCondition ? (schema.getType(s.typeCondition.name.value) as GraphQLCompositeType) : parent;
        out.push(...strip(t, s.selectionSet, obj, parentId, depth));
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments[s.name.value];
        if (f) out.push(...strip(schema.getType(f.typeCondition.name.value) as GraphQLCompositeType, f.selectionSet, obj, parentId, depth));
        continue;
      }
      const key = s.alias?.value ?? s.name.value;
      const def = fieldsOf(parent)?.[s.name.value];
      const value = obj[key];
      if (!def || value === null || value === undefined || typeof value !== 'object') continue;
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;
      if (isConnectionType(named)) {
        delete obj[key];
        const conn = value as { nodes?: Obj[]; edges?: { node: Obj }[] };
        const nodes = conn.nodes ?? conn.edges?.map((e) => e.node) ?? [];
        const nodeType = connectionNodeType(named as import('graphql').GraphQLObjectType);
        const sets = nodeSelections(s.selectionSet);
        for (const n of nodes) {
          const group: string[] = [];
          let children: string[][] = [];
          for (const ns of sets) children = children.concat(strip(nodeType, ns, n, typeof n.id === 'string' ? n.id : parentId, depth + 1));
          group.push(JSON.stringify(parentId && depth > 0 ? { ...n, __parentId: parentId } : n));
          if (depth === 0) roots++;
          if (grouped) out.push(group.concat(...children));
          else {
            out.push(group);
            deferred.push(...children);
          }
        }
      } else if (Array.isArray(value)) {
        for (const v of value) if (v && typeof v === 'object') out.push(...strip(named as GraphQLCompositeType, s.selectionSet, v as Obj, parentId, depth));
      } else {
        out.push(...strip(named as GraphQLCompositeType, s.selectionSet, value as Obj, parentId, depth));
      }
    }
    return out;
  };
  for (const g of strip(schema.getQueryType()!, op!.selectionSet, data, undefined, 0)) lines.push(...g);
  for (const g of deferred) lines.push(...g);
  return { lines, roots };
}
