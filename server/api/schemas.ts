// Response and request shapes of the API contract (/tmp/ledgerline-api.md), defined once for validation and OpenAPI.
import { z } from '@hono/zod-openapi';
import { depthProblem } from '../../flows/validate.ts';

export const FlowJson = z
  .record(z.string(), z.unknown())
  // Deeper documents are refused before anything walks them (a 5,000-deep `settings` once answered 500).
  .superRefine((doc, ctx) => {
    const p = depthProblem(doc);
    if (p) ctx.addIssue({ code: 'custom', message: `${p.path}: ${p.message}`, path: [] });
  })
  .openapi('FlowJSON', { description: 'A flow document (flows/flow.schema.json). Drafts may be incomplete; publish validates.' });

export const FlowSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    active: z.boolean(),
    activeVersion: z.number().int().nullable(),
    latestVersion: z.number().int().nullable(),
    draftUpdatedAt: z.number().int(),
    createdAt: z.number().int(),
    description: z.string().optional().openapi({ description: "The draft's description (list and single-flow reads)." }),
    paused: z.object({ by: z.string(), at: z.number().int() }).nullable().optional().openapi({
      description:
        'List read: set when an operator paused the flow from triage (resume with POST /flows/{id}/resume); an inactive flow without it was deactivated.',
    }),
  })
  .openapi('FlowSummary');

export const VersionInfo = z
  .object({ version: z.number().int(), hash: z.string(), message: z.string(), createdAt: z.number().int(), createdBy: z.string().nullable() })
  .openapi('FlowVersionInfo');

export const VersionFull = VersionInfo.extend({ definition: FlowJson }).openapi('FlowVersion');

export const FlowDiff = z
  .object({
    nodes: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })) }),
    edges: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
  })
  .openapi('FlowDiff');

export const RunSummary = z
  .object({
    runId: z.string(),
    flowId: z.string(),
    flowVersion: z.number().int(),
    eventId: z.string(),
    status: z.string(),
    replayOf: z.string().nullable(),
    error: z.unknown(),
    skipped: z
      .object({ code: z.string(), message: z.string(), nodeId: z.string(), details: z.record(z.string(), z.unknown()).optional() })
      .optional()
      .openapi({ description: 'Why the run ended `skipped` (e.g. an unpaid or cancelled order): nothing failed, nothing was posted.' }),
    createdAt: z.number().int(),
    startedAt: z.number().int().nullable(),
    finishedAt: z.number().int().nullable(),
    orderName: z
      .string()
      .optional()
      .openapi({ description: "The Shopify order the run is about (#1001), also for a refund's run, whose webhook names the order by id only" }),
    trigger: z.object({ source: z.string(), topic: z.string().nullable() }).optional().openapi({
      description:
        "What started the run: its event's source (`shopify:<connection>`, `sweep:<flow>`, `schedule`, `manual`, `webhook:<flow>`) and topic (`orders/paid`)",
    }),
  })
  .openapi('RunSummary');

export const StepRecord = z
  .object({
    nodeId: z.string(),
    type: z.string().optional(),
    name: z.string().optional().openapi({ description: "The node's display name in the run's flow version" }),
    status: z.string(),
    attempts: z.number().int(),
    port: z.string().optional(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.unknown().optional(),
    reusedFrom: z.string().optional(),
    reads: z
      .object({
        flowVersion: z.number().int(),
        lookups: z.array(z.object({ kind: z.string(), table: z.string(), scope: z.string(), tableId: z.number().int(), version: z.number().int() })),
      })
      .optional()
      .openapi({ description: 'The configuration the step read when it ran: flow version (its settings) and lookup table versions' }),
    startedAt: z.number().int().nullable(),
    finishedAt: z.number().int().nullable(),
    durationMs: z.number().nullable(),
  })
  .openapi('StepRecord');

export const ReplayStepPlan = z
  .object({
    nodeId: z.string(),
    type: z.string(),
    title: z.string(),
    action: z.enum(['rerun', 'reuse']),
    reason: z.string(),
    written: z
      .object({ documents: z.array(z.string()) })
      .optional()
      .openapi({ description: 'Documents this step already posted' }),
    needsConfirmation: z.boolean().optional().openapi({ description: 'Re-running it may post again: only when named in `resend`' }),
  })
  .openapi('ReplayStepPlan');

export const ReplayPlan = z
  .object({
    runId: z.string(),
    flowId: z.string(),
    flowVersion: z.number().int(),
    from: z.enum(['failed', 'start', 'step']),
    fromStep: z.string().optional(),
    steps: z.array(ReplayStepPlan),
    rerun: z.array(z.string()),
    reused: z.array(z.string()),
    confirm: z.array(z.string()),
  })
  .openapi('ReplayPlan');

export const RunRecord = RunSummary.extend({
  flowName: z.string().optional().openapi({ description: "The flow's name in the run's version" }),
  keys: z.record(z.string(), z.string()),
  steps: z.array(StepRecord),
}).openapi('RunRecord');

export const ConnectionKind = z.enum(['shopify', 'erp']);

export const Connection = z
  .object({ id: z.string(), kind: ConnectionKind, provider: z.string(), name: z.string(), config: z.record(z.string(), z.unknown()), hasSecret: z.boolean() })
  .openapi('Connection');

export const ConnectionCreate = z
  .object({
    id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'ids use letters, digits and _ . : -'),
    kind: ConnectionKind,
    provider: z.string().min(1),
    name: z.string().min(1).max(200),
    config: z.record(z.string(), z.unknown()).default({}),
    secrets: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Write-only: stored encrypted, never returned.' }),
  })
  .openapi('ConnectionCreate');

export const ConnectionUpdate = z
  .object({
    provider: z.string().min(1).optional(),
    name: z.string().min(1).max(200).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Merged over the stored secrets; a null value removes one.' }),
  })
  .openapi('ConnectionUpdate');

export const RoleEnum = z.enum(['owner', 'consultant', 'client', 'operator', 'viewer']);

export const Me = z.object({ id: z.string(), email: z.string(), name: z.string(), role: RoleEnum }).openapi('Me');

export const UserView = Me.extend({ disabled: z.boolean(), createdAt: z.number().int() }).openapi('User');

export const TokenView = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    createdAt: z.number().int(),
    lastUsedAt: z.number().int().nullable(),
    expiresAt: z.number().int().nullable().openapi({ description: 'Epoch ms; null: never expires' }),
  })
  .openapi('ApiToken');

export const AuditEntry = z
  .object({ at: z.number().int(), actor: z.string(), action: z.string(), target: z.string(), details: z.unknown() })
  .openapi('AuditEntry');

export const Port = z.object({ id: z.string(), title: z.string().optional() });

export const CatalogNodeType = z
  .object({
    type: z.string(),
    version: z.number().int(),
    title: z.string(),
    category: z.string(),
    description: z.string(),
    configSchema: z.record(z.string(), z.unknown()),
    inputs: z.array(Port),
    outputs: z.array(Port),
    idempotent: z.boolean(),
    trigger: z.enum(['manual', 'schedule', 'webhook', 'shopify-webhook']).optional(),
    sampleOutput: z.unknown(),
    inputSchema: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'JSON Schema of what the node expects on its input (a mapping before it fills these fields)' }),
  })
  .openapi('NodeType');

export const EventSummary = z
  .object({
    eventId: z.string(),
    source: z.string(),
    topic: z.string().nullable(),
    dedupKey: z.string().nullable(),
    meta: z.record(z.string(), z.unknown()).nullable(),
    receivedAt: z.number().int(),
    runIds: z.array(z.string()),
  })
  .openapi('EventSummary');

export { ProblemSchema as ProblemSchemaRef } from './http.ts';
