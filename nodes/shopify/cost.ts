// Shopify's calculated query cost (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits):
// scalars and enums 0, objects 1, interfaces/unions the max of their possible selections, connections sized by
// first/last, each mutation field 10. Used by the client (requested cost before sending) and the sandbox store.
import {
  Kind,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  typeFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  valueFromAST,
  getArgumentValues,
} from 'graphql';

export const MUTATION_COST = 10;
export const CONNECTION_OVERHEAD = 2;

export function isConnectionType(t: GraphQLNamedType): boolean {
  return isObjectType(t) && t.name.endsWith('Connection') && 'pageInfo' in t.getFields();
}

/** The item type of a connection (its `nodes` field); throws, naming the type, for one without `nodes`. */
export function connectionNodeType(conn: import('graphql').GraphQLObjectType): GraphQLCompositeType {
  const nodes = conn.getFields().nodes;
  if (!nodes) throw new Error(`${conn.name} is treated as a connection but has no nodes field`);
  return getNamedType(nodes.type) as GraphQLCompositeType;
}

interface Ctx {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Items actually returned per connection field (for actualQueryCost); absent = requested sizes. */
  actualSizes?: Map<FieldNode, number>;
}

function argValues(ctx: Ctx, def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, ctx.variables);
  } catch {
    return {};
  }
}

/** Page size requested for a connection field (first/last), 0 when neither is given. */
export function pageSize(args: Record<string, unknown>): number {
  const n = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : 0;
  return Math.max(0, n);
}

function selectionCost(ctx: Ctx, parent: GraphQLCompositeType, set: SelectionSetNode | undefined): number {
  if (!set) return 0;
  // For abstract parents, each concrete type's selection is costed and the max taken.
  if (isAbstractType(parent)) {
    let max = 0;
    for (const t of ctx.schema.getPossibleTypes(parent)) max = Math.max(max, selectionCost(ctx, t, set));
    return max;
  }
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const def = (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[sel.name.value];
      if (!def) continue;
      cost += fieldCost(ctx, def, sel);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const cond: GraphQLCompositeType = sel.typeCondition ? (ctx.schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) : parent;
      if (cond === parent || (isAbstractType(cond) && isObjectType(parent) && ctx.schema.isSubType(cond, parent))) {
        cost += selectionCost(ctx, parent, sel.selectionSet);
      }
    } else {
      const frag = ctx.fragments[sel.name.value];
      if (!frag) continue;
      const cond = ctx.schema.getType(frag.typeCondition.name.value) as GraphQLCompositeType;
      if (cond === parent || (isAbstractType(cond) && isObjectType(parent) && ctx.schema.isSubType(cond, parent))) {
        cost += selectionCost(ctx, parent, frag.selectionSet);
      }
    }
  }
  return cost;
}

function fieldCost(ctx: Ctx, def: GraphQLField<unknown, unknown>, node: FieldNode): number {
  const named = getNamedType(def.type);
  if (!isCompositeType(named)) return 0;
  if (isConnectionType(named)) {
    const requested = pageSize(argValues(ctx, def, node));
    const n = ctx.actualSizes ? Math.min(requested, ctx.actualSizes.get(node) ?? 0) : requested;
    const conn = named as import('graphql').GraphQLObjectType;
    const fields = conn.getFields();
    let perItem = 0;
    for (const sel of node.selectionSet?.selections ?? []) {
      if (sel.kind !== Kind.FIELD) continue;
      // A field the connection type lacks makes the document invalid: it adds nothing here, and Shopify's answer names it.
      if (sel.name.value === 'nodes' && fields.nodes)
        perItem = Math.max(perItem, 1 + selectionCost(ctx, getNamedType(fields.nodes.type) as GraphQLCompositeType, sel.selectionSet));
      if (sel.name.value === 'edges' && fields.edges) {
        const edge = getNamedType(fields.edges.type) as import('graphql').GraphQLObjectType;
        const node = edge.getFields().node;
        for (const es of sel.selectionSet?.selections ?? []) {
          if (es.kind === Kind.FIELD && es.name.value === 'node' && node) {
            perItem = Math.max(perItem, 1 + selectionCost(ctx, getNamedType(node.type) as GraphQLCompositeType, es.selectionSet));
          }
        }
      }
    }
    return CONNECTION_OVERHEAD + n * perItem;
  }
  // `nodes(ids: [...])` fetches one object per id: charged per id (assumed, as connections are per requested item),
  // so many orders read in one query cost what reading them one by one would, less the per-request overhead.
  const ids = isListType(getNullableType(def.type)) ? argValues(ctx, def, node).ids : undefined;
  if (Array.isArray(ids)) return ids.length * (1 + selectionCost(ctx, named, node.selectionSet));
  return 1 + selectionCost(ctx, named, node.selectionSet);
}

export interface CostBreakdown {
  requested: number;
  operation: 'query' | 'mutation' | 'subscription';
}

/** Requested cost of the operation named `operationName` (or the only one) in `document`. */
export function calculateQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> = {},
  operationName?: string,
  actualSizes?: Map<FieldNode, number>,
): CostBreakdown {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let op: OperationDefinitionNode | undefined;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    if (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)) op ??= d;
  }
  if (!op) throw new Error(`operation ${operationName ?? '(anonymous)'} not found`);
  const coerced: Record<string, unknown> = { ...variables };
  for (const v of op.variableDefinitions ?? []) {
    const name = v.variable.name.value;
    if (coerced[name] === undefined && v.defaultValue) {
      const t = typeFromAST(schema, v.type as never);
      if (t) coerced[name] = valueFromAST(v.defaultValue as ValueNode, t as never);
    }
  }
  const ctx: Ctx = { schema, fragments, variables: coerced, actualSizes };
  const root =
    op.operation === 'mutation' ? schema.getMutationType()! : op.operation === 'subscription' ? schema.getSubscriptionType()! : schema.getQueryType()!;
  let cost = 0;
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD || sel.name.value.startsWith('__')) continue;
    const def = root.getFields()[sel.name.value];
    if (!def) continue;
    cost += op.operation === 'mutation' ? MUTATION_COST : fieldCost(ctx, def, sel);
  }
  return { requested: cost, operation: op.operation };
}

export { getNullableType, isListType };
