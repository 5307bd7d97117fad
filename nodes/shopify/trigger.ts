// shopify.trigger: turns a Shopify webhook delivery, or an order found by a sweep (sweep.ts), into the canonical
// object plus event metadata. Webhooks and sweeps of the same change share one dedupe key (dedupKeyFor).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineNode, permanentError } from '../../runtime/node-api.ts';
import { asNodeError, connectionField } from './node-util.ts';
import { convertWebhook, type ShopifyWebhookObject } from './webhook-convert.ts';
import { convertDelivery } from './shared-conversion.ts';
import { orderFromGraphql } from './convert-graphql.ts';
import { parseJsonLossless } from './lossless-json.ts';
import { SWEEP_SOURCE_HEADER, SWEEP_TOPICS, dedupKeyFor, isSweepTopic } from './sweep.ts';

export const SHOPIFY_TRIGGER_TOPICS = [
  'orders/create',
  'orders/paid',
  'orders/updated',
  'orders/edited',
  'orders/cancelled',
  'refunds/create',
  'fulfillments/create',
  'inventory_levels/update',
  'products/update',
] as const;

export interface ShopifyWebhookDelivery {
  /** Raw request body text (keeps 18-digit ids exact); an object works too when ids are GIDs. */
  body: string | unknown;
  /** Request headers (any case). */
  headers?: Record<string, string | string[] | undefined>;
}

export interface ShopifyEvent {
  topic: string;
  eventId: string | null;
  webhookId: string | null;
  shop: string | null;
  apiVersion: string | null;
  triggeredAt: string | null;
  /** How the event arrived: a webhook, or a sweep that found a change whose webhook never came. */
  source: 'webhook' | 'sweep';
  /** The dedupe key the host stores the event under (same for a webhook and a sweep of one change). */
  dedupKey: string | null;
}

export type ShopifyTriggerOutput = { event: ShopifyEvent } & ShopifyWebhookObject;

const config = z
  .object({
    connection: connectionField,
    topic: z.enum(SHOPIFY_TRIGGER_TOPICS),
    /**
     * Several topics for one flow (e.g. orders/create and orders/paid, so an order authorised or paid later posts when
     * its payment arrives); when given, the host routes every one of them here and `topic` is the first.
     */
    topics: z.array(z.enum(SHOPIFY_TRIGGER_TOPICS)).min(1).optional(),
    /**
     * `webhook` (default): runs per webhook delivery. `webhook+sweep`: also sweeps on `sweep.schedule` for changes whose
     * webhook never arrived (Shopify's advice). `sweep`: sweeps only. Sweeps exist for order topics only.
     */
    mode: z.enum(['webhook', 'webhook+sweep', 'sweep']).default('webhook'),
    sweep: z
      .object({
        /** Cron expression for the host's scheduler. */
        schedule: z.string().min(1).default('*/15 * * * *'),
        /** First sweep: orders updated on or after this instant (ISO 8601); default 24 h before the first sweep. */
        since: z
          .string()
          .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 timestamp')
          .optional(),
        overlapMinutes: z.number().int().min(0).max(1440).default(10),
      })
      .strict()
      .default({ schedule: '*/15 * * * *', overlapMinutes: 10 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.topics && !c.topics.includes(c.topic)) {
      ctx.addIssue({ code: 'custom', path: ['topics'], message: `topics must include the topic ${c.topic}` });
    }
    if (c.mode !== 'webhook' && !isSweepTopic(c.topic)) {
      ctx.addIssue({ code: 'custom', path: ['mode'], message: `topic ${c.topic} cannot be swept; sweeps cover ${SWEEP_TOPICS.join(', ')}` });
    }
  });

function header(h: ShopifyWebhookDelivery['headers'], name: string): string | null {
  if (!h) return null;
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  const v = key ? h[key] : undefined;
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function isDelivery(v: unknown): v is ShopifyWebhookDelivery {
  return typeof v === 'object' && v !== null && 'body' in v && (typeof (v as { body: unknown }).body === 'string' || 'headers' in v);
}

// A host may pass a swept order's body without the sweep header; Admin GraphQL orders say `legacyResourceId`,
// REST payloads never do.
function isGraphqlOrder(body: unknown): boolean {
  if (typeof body === 'string') return /^\s*\{[\s\S]*"legacyResourceId"\s*:/.test(body.slice(0, 400)) && !/"admin_graphql_api_id"/.test(body.slice(0, 400));
  return typeof body === 'object' && body !== null && 'legacyResourceId' in body && !('admin_graphql_api_id' in body);
}

const sampleBody = readFileSync(new URL('./samples/orders-paid.example.json', import.meta.url), 'utf8');

export const shopifyTrigger = defineNode<z.infer<typeof config>, ShopifyWebhookDelivery | string, ShopifyTriggerOutput>({
  type: 'shopify.trigger',
  version: 1,
  title: 'Shopify event',
  category: 'trigger',
  description:
    'Starts the flow for a Shopify webhook topic (orders/paid, refunds/create, ...) and converts the body into the canonical ' +
    'ShopifyOrder / ShopifyRefund shape. With mode "webhook+sweep" the host also sweeps orders updated since a cursor on a ' +
    'schedule, so changes whose webhook never arrived still start a run; webhook and sweep share one dedupe key per change.',
  config,
  inputs: [],
  outputs: [{ id: 'out', dataType: 'ShopifyEvent' }],
  idempotent: true,
  // Its output restates the stored event (≈ 16 KB for an order): stored as a reference, made again when read back.
  rebuildsOutput: true,
  dryRun: 'pure',
  trigger: 'shopify-webhook',
  sampleOutput: {
    event: {
      topic: 'orders/paid',
      eventId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      webhookId: 'b54557e4-0000-4b37-8a5f-bf7d70bcd043',
      shop: 'example.myshopify.com',
      apiVersion: '2026-10',
      triggeredAt: '2026-10-01T12:00:00.000Z',
      source: 'webhook',
      dedupKey: 'paid:gid://shopify/Order/820982911946154508',
    },
    ...convertWebhook('orders/paid', sampleBody),
  },
  execute(ctx, input) {
    // A bare payload (e.g. `ledgerline run --event orders-paid.json`) is the body itself; its raw text keeps ids exact.
    const delivery: ShopifyWebhookDelivery = typeof input === 'string' ? { body: input } : isDelivery(input) ? input : { body: ctx.rawInput?.text ?? input };
    if (delivery === null || typeof delivery !== 'object' || delivery.body === undefined) {
      throw permanentError(`node ${ctx.nodeId}: input must be a webhook delivery { body, headers }`, { code: 'BAD_INPUT' });
    }
    const topic = header(delivery.headers, 'x-shopify-topic') ?? ctx.config.topic;
    const accepted: readonly string[] = ctx.config.topics ?? [ctx.config.topic];
    if (!accepted.includes(topic)) {
      throw permanentError(
        `node ${ctx.nodeId}: delivery topic "${topic}" does not match the trigger topic${accepted.length > 1 ? 's' : ''} "${accepted.join('", "')}"`,
        { code: 'TOPIC_MISMATCH' },
      );
    }
    try {
      const swept = header(delivery.headers, SWEEP_SOURCE_HEADER) === 'sweep' || isGraphqlOrder(delivery.body);
      // A swept body is the Admin GraphQL order (GID strings throughout), not a REST payload.
      const object: ShopifyWebhookObject = swept
        ? { kind: 'order', order: orderFromGraphql(typeof delivery.body === 'string' ? parseJsonLossless(delivery.body) : delivery.body, '$.body') }
        : convertDelivery(topic, delivery.body, header(delivery.headers, 'x-shopify-event-id'));
      return {
        event: {
          topic,
          eventId: header(delivery.headers, 'x-shopify-event-id'),
          webhookId: header(delivery.headers, 'x-shopify-webhook-id'),
          shop: header(delivery.headers, 'x-shopify-shop-domain'),
          apiVersion: header(delivery.headers, 'x-shopify-api-version'),
          triggeredAt: header(delivery.headers, 'x-shopify-triggered-at'),
          source: swept ? 'sweep' : 'webhook',
          dedupKey: dedupKeyFor(topic, delivery.headers, object),
        },
        ...object,
      };
    } catch (err) {
      asNodeError(ctx, err);
    }
  },
});
