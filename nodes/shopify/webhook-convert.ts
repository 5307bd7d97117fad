// Webhook body (raw JSON text, ideally) + topic -> canonical event payload.
import { toJsonValue } from './lossless-json.ts';
import { orderEditFromRest, orderFromRest, refundFromRest } from './convert-rest.ts';
import { ShopifyConversionError, arr, enumName, gid, int, isObj, obj, optGid, restGid, str, type Obj } from './convert-util.ts';
import type { Gid, ShopifyOrder, ShopifyOrderEdit, ShopifyRefund } from './types.ts';

export interface ShopifyFulfillment {
  id: Gid;
  orderId: Gid;
  name: string | null;
  status: string | null;
  locationId: Gid | null;
  trackingCompany: string | null;
  trackingNumbers: string[];
  trackingUrls: string[];
  lines: { lineItemId: Gid; sku: string | null; quantity: number }[];
  raw: unknown;
}

export interface ShopifyInventoryLevelUpdate {
  inventoryItemId: Gid;
  locationId: Gid;
  available: number | null;
  updatedAt: string | null;
  raw: unknown;
}

export interface ShopifyProductUpdate {
  id: Gid;
  title: string;
  status: string | null;
  variants: { id: Gid; sku: string | null; inventoryItemId: Gid | null; price: string | null }[];
  raw: unknown;
}

export type ShopifyWebhookObject =
  | { kind: 'order'; order: ShopifyOrder }
  | { kind: 'order-edit'; orderEdit: ShopifyOrderEdit }
  | { kind: 'order-deleted'; orderId: Gid; raw: unknown }
  | { kind: 'order-event'; orderId: Gid | null; raw: unknown }
  | { kind: 'refund'; refund: ShopifyRefund }
  | { kind: 'fulfillment'; fulfillment: ShopifyFulfillment }
  | { kind: 'inventory-level'; inventoryLevel: ShopifyInventoryLevelUpdate }
  | { kind: 'product'; product: ShopifyProductUpdate }
  | { kind: 'other'; raw: unknown };

/** Order topics whose body is the full order resource. */
export const ORDER_RESOURCE_TOPICS = new Set([
  'orders/create',
  'orders/paid',
  'orders/updated',
  'orders/cancelled',
  'orders/fulfilled',
  'orders/partially_fulfilled',
  'orders/link_requested',
]);

function fulfillmentFromRest(o: Obj, path: string): ShopifyFulfillment {
  return {
    id: restGid('Fulfillment', o, path),
    orderId: gid('Order', o.order_id, `${path}.order_id`),
    name: str(o.name),
    status: enumName(o.status),
    locationId: optGid('Location', o.location_id, `${path}.location_id`),
    trackingCompany: str(o.tracking_company),
    trackingNumbers: arr(o.tracking_numbers, `${path}.tracking_numbers`).map(String),
    trackingUrls: arr(o.tracking_urls, `${path}.tracking_urls`).map(String),
    lines: arr(o.line_items, `${path}.line_items`).map((l, i) => {
      const lo = obj(l, `${path}.line_items[${i}]`);
      return {
        lineItemId: restGid('LineItem', lo, `${path}.line_items[${i}]`),
        sku: str(lo.sku) || null,
        quantity: int(lo.quantity, `${path}.line_items[${i}].quantity`),
      };
    }),
    raw: o,
  };
}

function inventoryLevelFromRest(o: Obj, path: string): ShopifyInventoryLevelUpdate {
  // The level GID carries the exact item id ("gid://shopify/InventoryLevel/<loc>?inventory_item_id=<item>").
  const fromGid = typeof o.admin_graphql_api_id === 'string' ? /inventory_item_id=(\d+)/.exec(o.admin_graphql_api_id)?.[1] : undefined;
  return {
    inventoryItemId: gid('InventoryItem', fromGid ?? o.inventory_item_id, `${path}.inventory_item_id`),
    locationId: gid('Location', o.location_id, `${path}.location_id`),
    available: o.available === null || o.available === undefined ? null : int(o.available, `${path}.available`),
    updatedAt: str(o.updated_at),
    raw: o,
  };
}

function productFromRest(o: Obj, path: string): ShopifyProductUpdate {
  return {
    id: restGid('Product', o, path),
    title: str(o.title) ?? '',
    status: enumName(o.status),
    variants: arr(o.variants, `${path}.variants`).map((v, i) => {
      const vo = obj(v, `${path}.variants[${i}]`);
      return {
        id: restGid('ProductVariant', vo, `${path}.variants[${i}]`),
        sku: str(vo.sku) || null,
        inventoryItemId: optGid('InventoryItem', vo.inventory_item_id, `${path}.variants[${i}].inventory_item_id`),
        price: str(vo.price),
      };
    }),
    raw: o,
  };
}

/**
 * Converts a webhook body for `topic`. Pass the raw body text so 18-digit ids stay exact; an already-parsed object
 * works when its ids are GIDs or small.
 */
export function convertWebhook(topic: string, body: string | Uint8Array | unknown): ShopifyWebhookObject {
  const value = toJsonValue(body);
  const path = `$(${topic})`;
  if (ORDER_RESOURCE_TOPICS.has(topic)) return { kind: 'order', order: orderFromRest(value, path) };
  switch (topic) {
    case 'orders/edited':
      return { kind: 'order-edit', orderEdit: orderEditFromRest(value, path) };
    case 'orders/delete':
      return { kind: 'order-deleted', orderId: gid('Order', obj(value, path).id, `${path}.id`), raw: value };
    case 'orders/risk_assessment_changed':
    case 'orders/shopify_protect_eligibility_changed': {
      const o = obj(value, path);
      const orderId = typeof o.admin_graphql_api_order_id === 'string' ? o.admin_graphql_api_order_id : optGid('Order', o.order_id, `${path}.order_id`);
      return { kind: 'order-event', orderId, raw: value };
    }
    case 'refunds/create':
      return { kind: 'refund', refund: refundFromRest(value, path) };
    case 'fulfillments/create':
    case 'fulfillments/update':
      return { kind: 'fulfillment', fulfillment: fulfillmentFromRest(obj(value, path), path) };
    case 'inventory_levels/update':
      return { kind: 'inventory-level', inventoryLevel: inventoryLevelFromRest(obj(value, path), path) };
    case 'products/update':
    case 'products/create':
      return { kind: 'product', product: productFromRest(obj(value, path), path) };
    default:
      if (!isObj(value) && !Array.isArray(value)) throw new ShopifyConversionError(path, 'webhook body is not JSON object');
      return { kind: 'other', raw: value };
  }
}
