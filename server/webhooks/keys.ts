// Business keys a run can be found by (GIDs, as Shopify's GraphQL API names things), from a webhook payload.
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const idText = (v: unknown) => ((typeof v === 'string' && /^\d+$/.test(v)) || (typeof v === 'number' && Number.isSafeInteger(v)) ? String(v) : undefined);

/** `gid://shopify/Order/1` -> `shopifyOrderId`. */
function keyOfGid(gid: string): [string, string] | undefined {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/\d+/.exec(gid);
  return m ? [`shopify${m[1]}Id`, gid] : undefined;
}

const TOPIC_TYPE: Record<string, string> = {
  orders: 'Order',
  refunds: 'Refund',
  fulfillments: 'Fulfillment',
  products: 'Product',
  order_transactions: 'OrderTransaction',
  returns: 'Return',
};

/** Keys from a Shopify webhook body (parsed with 18-digit ids kept as digit strings). Customer data is never a key. */
export function shopifyKeys(topic: string, body: unknown): Record<string, string> {
  const keys: Record<string, string> = {};
  if (!isObj(body)) return keys;
  const [resource = ''] = topic.split('/');
  if (resource === 'customers' || resource === 'shop') return keys;
  const type = TOPIC_TYPE[resource];
  const own = typeof body.admin_graphql_api_id === 'string' ? keyOfGid(body.admin_graphql_api_id) : undefined;
  if (own) keys[own[0]] = own[1];
  else if (type && idText(body.id)) keys[`shopify${type}Id`] = `gid://shopify/${type}/${idText(body.id)}`;
  const orderId = idText(body.order_id) ?? (isObj(body.order_edit) ? idText(body.order_edit.order_id) : undefined);
  if (orderId) keys.shopifyOrderId = `gid://shopify/Order/${orderId}`;
  if (resource === 'orders' && typeof body.name === 'string') keys.shopifyOrderName = body.name;
  if (idText(body.inventory_item_id)) keys.shopifyInventoryItemId = `gid://shopify/InventoryItem/${idText(body.inventory_item_id)}`;
  return keys;
}

/** A flow's `settings.businessKeys` ({ name: 'path.to.value' }) read from the event body. */
export function pathKeys(spec: Record<string, string> | undefined, body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, path] of Object.entries(spec ?? {})) {
    let v: unknown = body;
    for (const seg of path
      .replace(/^\$\.?/, '')
      .split('.')
      .filter(Boolean))
      v = isObj(v) || Array.isArray(v) ? (v as Obj)[seg] : undefined;
    if (typeof v === 'string' || typeof v === 'number') out[name] = String(v);
  }
  return out;
}
