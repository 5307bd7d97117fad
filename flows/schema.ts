// The flow document, defined once. flow.schema.json is generated from this (scripts/emit-flow-schema.ts).
import { z } from 'zod';

export const CURRENT_SCHEMA_VERSION = 1;

const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'ids use letters, digits and _ . : -');

export const retryPolicySchema = z.object({
  maxAttempts: z.number().int().min(1).max(20).default(3),
  initialDelayMs: z.number().int().min(0).max(3_600_000).default(500),
  maxDelayMs: z.number().int().min(0).max(86_400_000).default(60_000),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const flowNodeSchema = z.object({
  id,
  type: z.string().min(1),
  typeVersion: z.number().int().positive().optional(),
  name: z.string().max(200).optional(),
  position: z.object({ x: z.number(), y: z.number() }),
  config: z.record(z.string(), z.unknown()).default({}),
  /** Overrides the flow's default retry policy for this node. */
  retry: retryPolicySchema.partial().optional(),
  /**
   * A sandboxed expression over `input` and `trigger` giving a stable key for this node's side effect
   * (e.g. `trigger.id`). It lets the runtime retry a non-idempotent node after an ambiguous failure.
   */
  idempotencyKey: z.string().min(1).optional(),
});

export const flowEdgeSchema = z.object({
  id,
  source: z.string().min(1),
  target: z.string().min(1),
  sourceHandle: z.string().min(1).optional(),
  targetHandle: z.string().min(1).optional(),
});

export const flowSettingsSchema = z
  .object({
    retry: retryPolicySchema.partial().optional(),
    /** Business keys to index each run by, as paths into the trigger output (e.g. `id`, `order_number`). */
    businessKeys: z.record(z.string(), z.string()).optional(),
    timezone: z.string().optional(),
  })
  .catchall(z.unknown());

export const flowSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id,
  name: z.string().min(1).max(200),
  description: z.string().max(5000).optional(),
  nodes: z.array(flowNodeSchema),
  edges: z.array(flowEdgeSchema),
  settings: flowSettingsSchema.optional(),
});

export type Flow = z.infer<typeof flowSchema>;
export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowEdge = z.infer<typeof flowEdgeSchema>;
