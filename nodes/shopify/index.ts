// Shopify node types and the pieces hosts need (connection factory, sandbox store, converters).
import type { NodeType } from '../../runtime/node-api.ts';
import { catalogAudit } from './catalog-audit.ts';
import { confirmOrderState } from './confirm-order-state.ts';
import { fulfilmentPush } from './fulfilment-push.ts';
import { inventoryPush } from './inventory-push.ts';
import { shopifyPayouts } from './payouts.ts';
import { shopifyTrigger } from './trigger.ts';

export const shopifyNodes: NodeType[] = [shopifyTrigger, inventoryPush, fulfilmentPush, shopifyPayouts, catalogAudit, confirmOrderState];

export { createShopifyConnection, ShopifyClient, type ShopifyConnectionConfig, type ShopifyAuth } from './client.ts';
export { startShopifySandbox, PLANS, type SandboxStore, type SandboxOptions, type SandboxPlan } from './sandbox/server.ts';
export { defaultScenario, loadScenarioFile, DEFAULT_SCENARIO_FILE, type Scenario } from './sandbox/state.ts';
export { signWebhook } from './sandbox/webhooks.ts';
export { convertWebhook, type ShopifyWebhookObject } from './webhook-convert.ts';
export {
  sweepOrders,
  dedupKeyFor,
  orderIdentityFromBody,
  sweepStateKey,
  isSweepTopic,
  SWEEP_TOPICS,
  SWEEP_SOURCE_HEADER,
  type SweepOptions,
  type SweepResult,
  type SweptDelivery,
  type SweepCursor,
  type SweepTopic,
} from './sweep.ts';
export { orderFromRest, refundFromRest, payoutFromRest, balanceTransactionFromRest } from './convert-rest.ts';
export { orderFromGraphql, refundFromGraphql, payoutFromGraphql, balanceTransactionFromGraphql } from './convert-graphql.ts';
export { parseJsonLossless } from './lossless-json.ts';
export { loadAdminSchema, ADMIN_API_VERSION } from './schema.ts';
export { DOCUMENTS } from './documents.ts';
export type * from './types.ts';
