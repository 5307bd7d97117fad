// Executes Admin GraphQL requests against SandboxState with graphql-js and Shopify's real 2026-10 schema.
// Any field the store has no data or resolver for fails with a GraphQL error naming it: never a silent null.
import { createHash } from 'node:crypto';
import {
  GraphQLError,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  getNullableType,
  valueFromASTUntyped,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLTypeResolver,
} from 'graphql';
import { isConnectionType } from '../cost.ts';
import type { BulkOperations } from './bulk.ts';
import { fulfillmentToGraphql, orderToGraphql, type FulfillmentRec, type InventoryLevelRec, type SandboxState, type VariantRec } from './state.ts';

type G = Record<string, unknown>;

export interface SandboxEvents {
  onFulfillmentCreated?: (f: FulfillmentRec) => void;
  /** The store's bulk operations (bulk.ts), when it has them. */
  bulk?: () => BulkOperations | undefined;
}

export class UnsupportedFieldError extends GraphQLError {}

function unsupported(info: GraphQLResolveInfo): never {
  throw new GraphQLError(`Field '${info.parentType.name}.${info.fieldName}' is not supported by the Ledgerline sandbox store`, {
    extensions: { code: 'SANDBOX_UNSUPPORTED_FIELD' },
  });
}

const cursorOf = (i: number) => Buffer.from(`idx:${i}`).toString('base64');
const indexOf = (c: unknown) => {
  const m = /^idx:(\d+)$/.exec(Buffer.from(String(c ?? ''), 'base64').toString());
  return m ? Number(m[1]) : -1;
};

/** Pages an array like Shopify's connections (first/after, last/before). */
export function connection(items: unknown[], args: G): G {
  let start = 0;
  let end = items.length;
  if (args.after != null) start = indexOf(args.after) + 1;
  if (args.before != null) end = Math.max(start, indexOf(args.before));
  if (args.reverse === true) items = [...items].reverse();
  if (typeof args.first === 'number') end = Math.min(end, start + args.first);
  if (typeof args.last === 'number') start = Math.max(start, end - args.last);
  const slice = items.slice(start, end);
  return {
    nodes: slice,
    edges: slice.map((node, i) => ({ node, cursor: cursorOf(start + i) })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? cursorOf(start) : null,
      endCursor: slice.length ? cursorOf(end - 1) : null,
    },
  };
}

/** The subset of Shopify's search syntax our documents use: `field:value`, `field:>=value`, `OR`, quotes. */
export function parseSearch(q: string | undefined): { field: string; op: string; value: string }[][] {
  if (!q) return [];
  return q.split(/\s+OR\s+/).map((part) =>
    // `(\w+)` is not optional: a match always has group 1.
    [...part.matchAll(/(\w+):(>=|<=|>|<)?(?:'([^']*)'|"([^"]*)"|(\S+))/g)].map((m) => ({ field: m[1]!, op: m[2] ?? ':', value: m[3] ?? m[4] ?? m[5] ?? '' })),
  );
}

function matches(terms: { field: string; op: string; value: string }[][], get: (field: string) => string | null | undefined): boolean {
  if (!terms.length) return true;
  return terms.some((and) =>
    and.every((t) => {
      const v = get(t.field);
      if (v === undefined) return false;
      // Timestamps compare as instants whatever their offset ("2008-01-10T11:00:00-05:00" vs "...16:00:00Z").
      if (t.field.endsWith('_at') && v && t.op !== ':') {
        const a = Date.parse(v);
        const b = Date.parse(t.value);
        if (!Number.isNaN(a) && !Number.isNaN(b)) return t.op === '>' ? a > b : t.op === '>=' ? a >= b : t.op === '<' ? a < b : a <= b;
      }
      const a = v ?? '';
      switch (t.op) {
        case '>':
          return a > t.value;
        case '>=':
          return a >= t.value;
        case '<':
          return a < t.value;
        case '<=':
          return a <= t.value;
        default:
          return a.toLowerCase() === t.value.toLowerCase();
      }
    }),
  );
}

export function createResolvers(state: SandboxState, events: SandboxEvents = {}) {
  const idempotency = new Map<string, { hash: string; result: G }>();
  const bulkOf = (): BulkOperations => {
    const b = events.bulk?.();
    if (!b) throw new GraphQLError('This sandbox store has no bulk operations', { extensions: { code: 'SANDBOX_UNSUPPORTED_FIELD' } });
    return b;
  };

  // `sku:'A' OR sku:'B'` (what inventory-push sends) is answered from the SKU index; anything else scans.
  const variantsMatching = (q: string | undefined): VariantRec[] => {
    const terms = parseSearch(q);
    const skus = terms.map(([t, ...more]) => (t && !more.length && t.field === 'sku' && t.op === ':' ? t.value : undefined));
    if (skus.length && skus.every((s): s is string => s !== undefined)) {
      const out = new Set<VariantRec>();
      for (const sku of skus) for (const v of state.bySku.get(sku) ?? []) out.add(v);
      return [...out];
    }
    return [...state.variants.values()].filter((v) => matches(terms, (f) => (f === 'sku' ? v.sku : f === 'id' ? v.id.split('/').pop() : undefined)));
  };
  const levelG = (l: InventoryLevelRec): G => ({
    id: `gid://shopify/InventoryLevel/${l.locationId.split('/').pop()}?inventory_item_id=${l.itemId.split('/').pop()}`,
    location: state.locations.get(l.locationId) ?? { id: l.locationId },
    updatedAt: l.updatedAt,
    item: () => {
      const v = state.byItem.get(l.itemId);
      return v ? itemG(v) : null;
    },
    quantities: ({ names }: { names: string[] }) =>
      names.map((name) => ({ name, quantity: name === 'available' ? l.available : name === 'on_hand' ? l.onHand : 0, updatedAt: l.updatedAt })),
  });
  const levelsG = (itemId: string) => (state.levelsByItem.get(itemId) ?? []).map(levelG);
  const levelsAt = (locationId: string) => {
    const out: G[] = [];
    for (const l of state.levels.values()) if (l.locationId === locationId) out.push(levelG(l));
    return out;
  };
  const itemG = (v: VariantRec, withVariant = true): G => ({
    id: v.itemId,
    sku: v.sku,
    tracked: v.tracked,
    duplicateSkuCount: () => (v.sku ? (state.bySku.get(v.sku)?.length ?? 1) - 1 : 0),
    inventoryLevels: () => levelsG(v.itemId),
    inventoryLevel: ({ locationId }: { locationId: string }) => {
      const l = state.levels.get(state.levelKey(v.itemId, String(locationId)));
      return l ? levelG(l) : null;
    },
    ...(withVariant ? { variant: () => variantG(v) } : {}),
  });
  const variantG = (v: VariantRec): G => ({
    id: v.id,
    sku: v.sku,
    title: v.title,
    displayName: v.displayName,
    price: v.price,
    product: { id: v.productId, title: v.productTitle },
    inventoryItem: () => itemG(v, false),
  });

  const query: Record<string, (args: G, info: GraphQLResolveInfo) => unknown> = {
    dispute: (args) => state.disputes.find((d) => d.id === String(args.id)) ?? null,
    order: (args) => {
      const o = state.orders.get(String(args.id));
      return o ? orderToGraphql(o, state) : null;
    },
    // Orders only: the other Node types the store holds are not read by id through `nodes`.
    nodes: (args) =>
      (args.ids as string[]).map((id) => {
        const o = state.orders.get(String(id));
        return o ? { __typename: 'Order', ...orderToGraphql(o, state) } : null;
      }),
    orders: (args) => {
      const terms = parseSearch(args.query as string | undefined);
      let list = [...state.orders.values()].filter((o) =>
        matches(terms, (f) =>
          f === 'updated_at'
            ? o.updatedAt
            : f === 'created_at'
              ? o.createdAt
              : f === 'name'
                ? o.name
                : f === 'id'
                  ? o.legacyId
                  : f === 'financial_status'
                    ? (o.financialStatus ?? '').toLowerCase()
                    : undefined,
        ),
      );
      if (args.sortKey === 'UPDATED_AT')
        list = list.sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || Number(a.legacyId) - Number(b.legacyId));
      return list.map((o) => orderToGraphql(o, state));
    },
    locations: (args) =>
      [...state.locations.values()]
        .filter((l) => args.includeInactive || l.isActive)
        .map((l) => ({
          ...l,
          fulfillsOnlineOrders: true,
          inventoryLevels: () => levelsAt(l.id),
          inventoryLevel: ({ inventoryItemId }: { inventoryItemId: string }) => {
            const lv = state.levels.get(state.levelKey(String(inventoryItemId), l.id));
            return lv ? levelG(lv) : null;
          },
        })),
    bulkOperation: (args) => {
      const b = bulkOf();
      const op = b.ops.get(String(args.id));
      return op ? b.toGraphql(op) : null;
    },
    currentBulkOperation: (args) => {
      const b = bulkOf();
      const op = b.current((args.type as 'QUERY' | 'MUTATION' | undefined) ?? 'QUERY');
      return op ? b.toGraphql(op) : null;
    },
    bulkOperations: (args) => {
      const b = bulkOf();
      const terms = parseSearch(args.query as string | undefined);
      const list = [...b.ops.values()]
        .map((o) => b.toGraphql(o))
        .filter((o) =>
          matches(terms, (f) =>
            f === 'status'
              ? String(o.status)
              : f === 'operation_type' || f === 'type'
                ? String(o.type)
                : f === 'created_at'
                  ? String(o.createdAt)
                  : f === 'id'
                    ? String(o.id).split('/').pop()
                    : undefined,
          ),
        );
      return args.sortKey === 'COMPLETED_AT' ? list.sort((a, b2) => String(a.completedAt).localeCompare(String(b2.completedAt))) : list;
    },
    productVariants: (args) => variantsMatching(args.query as string | undefined).map(variantG),
    inventoryItem: (args) => {
      const v = state.byItem.get(String(args.id));
      return v ? itemG(v) : null;
    },
    inventoryItems: (args) => variantsMatching(args.query as string | undefined).map((v) => itemG(v)),
    customers: (args) => {
      const terms = parseSearch(args.query as string | undefined);
      return [...state.customers.values()]
        .filter((c) => matches(terms, (f) => (f === 'email' ? c.email : f === 'id' ? c.id.split('/').pop() : undefined)))
        .map((c) => ({
          __typename: 'Customer',
          id: c.id,
          firstName: c.firstName,
          lastName: c.lastName,
          phone: c.phone,
          tags: c.tags,
          displayName: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || '',
          defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
          numberOfOrders: String([...state.orders.values()].filter((o) => o.customer?.id === c.id).length),
        }));
    },
    shopifyPaymentsAccount: () => ({
      id: 'gid://shopify/ShopifyPaymentsAccount/1',
      payouts: (args: G) => {
        const terms = parseSearch(args.query as string | undefined);
        const list = state.payouts.filter((p) =>
          matches(terms, (f) =>
            f === 'issued_at' ? String(p.issuedAt).slice(0, 10) : f === 'status' ? String(p.status) : f === 'id' ? String(p.legacyResourceId) : undefined,
          ),
        );
        return list.sort((a, b) => String(a.issuedAt).localeCompare(String(b.issuedAt)) || Number(a.legacyResourceId) - Number(b.legacyResourceId));
      },
      balanceTransactions: (args: G) => {
        const terms = parseSearch(args.query as string | undefined);
        return state.balanceTransactions
          .filter((t) =>
            matches(terms, (f) =>
              f === 'payments_transfer_id' || f === 'payout_id'
                ? (t._payoutLegacyId as string | null)
                : f === 'processed_at'
                  ? String(t.transactionDate)
                  : undefined,
            ),
          )
          .sort((a, b) => String(a.transactionDate).localeCompare(String(b.transactionDate)));
      },
    }),
  };

  const mutation: Record<string, (args: G, info: GraphQLResolveInfo) => unknown> = {
    bulkOperationRunQuery: async (args) => {
      const b = bulkOf();
      const r = await b.runQuery(String(args.query), args.groupObjects === true);
      return { bulkOperation: r.bulkOperation ? b.toGraphql(r.bulkOperation) : null, userErrors: r.userErrors };
    },
    bulkOperationRunMutation: (args) => {
      const b = bulkOf();
      const r = b.runMutation(String(args.mutation), String(args.stagedUploadPath), (args.clientIdentifier as string | undefined) ?? null);
      return { bulkOperation: r.bulkOperation ? b.toGraphql(r.bulkOperation) : null, userErrors: r.userErrors };
    },
    bulkOperationCancel: (args) => {
      const b = bulkOf();
      const r = b.cancel(String(args.id));
      return { bulkOperation: r.bulkOperation ? b.toGraphql(r.bulkOperation) : null, userErrors: r.userErrors };
    },
    stagedUploadsCreate: (args) => {
      const b = bulkOf();
      const inputs = args.input as { resource: string; filename: string; mimeType: string; httpMethod?: string }[];
      const userErrors: G[] = [];
      const stagedTargets = inputs.map((inp, i) => {
        if (inp.resource !== 'BULK_MUTATION_VARIABLES') {
          userErrors.push({
            field: ['input', String(i), 'resource'],
            message: `The sandbox store stages only BULK_MUTATION_VARIABLES uploads, not ${inp.resource}`,
          });
          return null;
        }
        if ((inp.httpMethod ?? 'PUT') !== 'POST') {
          userErrors.push({ field: ['input', String(i), 'httpMethod'], message: 'Bulk mutation variables are uploaded with httpMethod POST' });
          return null;
        }
        return b.stage(inp.filename);
      });
      return userErrors.length ? { stagedTargets: [], userErrors } : { stagedTargets, userErrors: [] };
    },
    inventorySetQuantities: (args, info) => {
      const input = args.input as { name: string; reason: string; referenceDocumentUri?: string; quantities: G[] };
      const dir = info.fieldNodes[0]?.directives?.find((d) => d.name.value === 'idempotent');
      const keyArg = dir?.arguments?.find((a) => a.name.value === 'key');
      const key = keyArg ? String(valueFromASTUntyped(keyArg.value, info.variableValues)) : undefined;
      if (!key) throw new GraphQLError('The @idempotent directive with a key is required for inventorySetQuantities', { extensions: { code: 'BAD_REQUEST' } });
      if (input.quantities.length > 250) {
        throw new GraphQLError(`The input array size of ${input.quantities.length} is greater than the maximum allowed of 250.`, {
          extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
        });
      }
      const hash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
      const prev = idempotency.get(key);
      if (prev) {
        if (prev.hash !== hash)
          return {
            inventoryAdjustmentGroup: null,
            userErrors: [
              { code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH', field: ['input'], message: 'The same idempotency key was used with different parameters' },
            ],
          };
        return prev.result;
      }
      const errors: G[] = [];
      if (input.name !== 'available' && input.name !== 'on_hand')
        errors.push({ code: 'INVALID_NAME', field: ['input', 'name'], message: `Invalid quantity name ${input.name}` });
      if (!input.reason) errors.push({ code: 'INVALID_REASON', field: ['input', 'reason'], message: 'Reason is required' });
      const seen = new Set<string>();
      input.quantities.forEach((q, i) => {
        const field = ['input', 'quantities', String(i)];
        const lk = state.levelKey(String(q.inventoryItemId), String(q.locationId));
        const level = state.levels.get(lk);
        if (seen.has(lk)) errors.push({ code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR', field, message: 'Duplicate inventory item and location' });
        seen.add(lk);
        if (!('changeFromQuantity' in q))
          errors.push({
            code: 'COMPARE_QUANTITY_REQUIRED',
            field: [...field, 'changeFromQuantity'],
            message: 'changeFromQuantity is required (pass null to opt out)',
          });
        if (!state.byItem.has(String(q.inventoryItemId)))
          errors.push({ code: 'INVALID_INVENTORY_ITEM', field: [...field, 'inventoryItemId'], message: 'The inventory item does not exist' });
        else if (!state.locations.has(String(q.locationId)))
          errors.push({ code: 'INVALID_LOCATION', field: [...field, 'locationId'], message: 'The location does not exist' });
        else if (!level) errors.push({ code: 'INVALID_LOCATION', field: [...field, 'locationId'], message: 'The item is not stocked at the location' });
        else {
          const current = input.name === 'available' ? level.available : level.onHand;
          if (q.changeFromQuantity !== null && q.changeFromQuantity !== undefined && q.changeFromQuantity !== current) {
            errors.push({
              code: 'CHANGE_FROM_QUANTITY_STALE',
              field: [...field, 'changeFromQuantity'],
              message: `The quantity has changed: expected ${q.changeFromQuantity}, it is ${current}`,
            });
          }
        }
        if (typeof q.quantity === 'number' && q.quantity > 1_000_000_000)
          errors.push({ code: 'INVALID_QUANTITY_TOO_HIGH', field: [...field, 'quantity'], message: 'Quantity is too high' });
      });
      let result: G;
      if (errors.length) result = { inventoryAdjustmentGroup: null, userErrors: errors };
      else {
        const now = new Date().toISOString();
        for (const q of input.quantities) {
          const level = state.levels.get(state.levelKey(String(q.inventoryItemId), String(q.locationId)))!;
          const qty = Number(q.quantity);
          if (input.name === 'available') {
            level.onHand += qty - level.available;
            level.available = qty;
          } else {
            level.available += qty - level.onHand;
            level.onHand = qty;
          }
          level.updatedAt = now;
        }
        result = {
          inventoryAdjustmentGroup: {
            id: state.newId('InventoryAdjustmentGroup'),
            createdAt: now,
            reason: input.reason,
            referenceDocumentUri: input.referenceDocumentUri ?? null,
          },
          userErrors: [],
        };
      }
      idempotency.set(key, { hash, result });
      return result;
    },
    fulfillmentCreate: (args) => {
      const input = args.fulfillment as {
        lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems?: { id: string; quantity: number }[] }[];
        notifyCustomer?: boolean;
        trackingInfo?: G;
      };
      const err = (field: string[], message: string) => ({ fulfillment: null, userErrors: [{ field, message }] });
      const fos = input.lineItemsByFulfillmentOrder.map((x) => state.fulfillmentOrders.get(x.fulfillmentOrderId));
      if (!fos.length) return err(['fulfillment', 'lineItemsByFulfillmentOrder'], 'At least one fulfillment order is required');
      for (const [i, fo] of fos.entries()) {
        if (!fo) return err(['fulfillment', 'lineItemsByFulfillmentOrder', String(i), 'fulfillmentOrderId'], 'Fulfillment order does not exist.');
        if (fo.orderId !== fos[0]!.orderId || fo.locationId !== fos[0]!.locationId)
          return err(['fulfillment'], 'All fulfillment orders must belong to the same order and be assigned to the same location.');
        if (fo.status === 'CLOSED') return err(['fulfillment'], `Fulfillment order ${fo.id} is closed and cannot be fulfilled.`);
      }
      const plan: { line: { id: string; lineItemId: string; sku: string | null; remainingQuantity: number }; qty: number }[] = [];
      for (const [i, x] of input.lineItemsByFulfillmentOrder.entries()) {
        const fo = fos[i]!;
        const wanted = x.fulfillmentOrderLineItems?.length
          ? x.fulfillmentOrderLineItems
          : fo.lines.filter((l) => l.remainingQuantity > 0).map((l) => ({ id: l.id, quantity: l.remainingQuantity }));
        for (const [j, w] of wanted.entries()) {
          const line = fo.lines.find((l) => l.id === w.id);
          if (!line)
            return err(
              ['fulfillment', 'lineItemsByFulfillmentOrder', String(i), 'fulfillmentOrderLineItems', String(j), 'id'],
              'Fulfillment order line item does not exist.',
            );
          if (w.quantity <= 0 || w.quantity > line.remainingQuantity)
            return err(
              ['fulfillment', 'lineItemsByFulfillmentOrder', String(i), 'fulfillmentOrderLineItems', String(j), 'quantity'],
              `Quantity ${w.quantity} exceeds the remaining quantity ${line.remainingQuantity}.`,
            );
          plan.push({ line, qty: w.quantity });
        }
      }
      for (const p of plan) p.line.remainingQuantity -= p.qty;
      for (const fo of fos) fo!.status = fo!.lines.every((l) => l.remainingQuantity === 0) ? 'CLOSED' : 'IN_PROGRESS';
      const t = input.trackingInfo ?? {};
      const numbers = (t.numbers as string[] | undefined) ?? (t.number ? [String(t.number)] : []);
      const urls = (t.urls as string[] | undefined) ?? (t.url ? [String(t.url)] : []);
      const order = state.orders.get(fos[0]!.orderId)!;
      const count = [...state.fulfillments.values()].filter((f) => f.orderId === order.id).length;
      const rec: FulfillmentRec = {
        id: state.newId('Fulfillment'),
        orderId: order.id,
        name: `${order.name}.${count + 1}`,
        locationId: fos[0]!.locationId,
        createdAt: new Date().toISOString(),
        tracking: (numbers.length ? numbers : [null]).map((n, i) => ({ company: (t.company as string) ?? null, number: n, url: urls[i] ?? null })),
        lines: plan.map((p) => ({ lineItemId: p.line.lineItemId, sku: p.line.sku, quantity: p.qty })),
        notifyCustomer: input.notifyCustomer ?? false,
      };
      state.fulfillments.set(rec.id, rec);
      const allDone = [...state.fulfillmentOrders.values()].filter((f) => f.orderId === order.id).every((f) => f.status === 'CLOSED');
      order.fulfillmentStatus = allDone ? 'FULFILLED' : 'PARTIALLY_FULFILLED';
      order.updatedAt = rec.createdAt;
      events.onFulfillmentCreated?.(rec);
      return { fulfillment: fulfillmentToGraphql(rec), userErrors: [] };
    },
  };

  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, reqCtx, info) => {
    let value: unknown;
    if (info.parentType === info.schema.getQueryType()) {
      const r = query[info.fieldName];
      if (!r) unsupported(info);
      value = r(args, info);
    } else if (info.parentType === info.schema.getMutationType()) {
      const r = mutation[info.fieldName];
      if (!r) unsupported(info);
      value = r(args, info);
    } else {
      const src = source as G;
      if (info.fieldName === '__typename') return src.__typename;
      if (!(info.fieldName in src)) unsupported(info);
      value = src[info.fieldName];
      if (typeof value === 'function') value = (value as (a: G) => unknown)(args);
    }
    const named = getNamedType(info.returnType);
    if (isConnectionType(named) && Array.isArray(value)) {
      // A bulk query reads whole connections: Shopify pages them itself.
      const bulk = (reqCtx as { bulk?: boolean } | undefined)?.bulk === true;
      const conn = connection(value, bulk ? {} : args);
      const sizes = (reqCtx as { sizes?: Map<unknown, number> } | undefined)?.sizes;
      if (sizes) sizes.set(info.fieldNodes[0], Math.max(sizes.get(info.fieldNodes[0]) ?? 0, (conn.nodes as unknown[]).length));
      return conn;
    }
    // Lists with `first` (e.g. Order.fulfillments(first:)) are truncated like Shopify does.
    if (Array.isArray(value) && isListType(getNullableType(info.returnType)) && typeof args.first === 'number') return value.slice(0, args.first);
    if (isLeafType(named) && !isListType(getNullableType(info.returnType)) && value !== null && typeof value === 'object') unsupported(info);
    return value;
  };

  const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value, _ctx, info, abstractType) => {
    const t = (value as G)?.__typename;
    if (typeof t !== 'string') throw new GraphQLError(`The sandbox store cannot tell which ${abstractType.name} this is (no __typename)`);
    void info;
    return t;
  };

  return { fieldResolver, typeResolver, isAbstractType };
}
