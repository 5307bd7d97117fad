// Request and response shapes of the exceptions API (zod, documented in OpenAPI).
import { z } from '@hono/zod-openapi';

export const Owner = z.enum(['finance', 'operations', 'ecommerce']);
export const Severity = z.enum(['low', 'medium', 'high']);
export const State = z.enum(['open', 'acknowledged', 'resolved']);

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    problems: z.array(z.object({ where: z.string(), path: z.string(), message: z.string() })).optional(),
  }),
});

export const Links = z.object({
  runId: z.string().optional(),
  flowId: z.string().optional(),
  nodeId: z.string().optional(),
  shopify: z.string().optional(),
  shopifyName: z.string().optional().openapi({ description: "The order's name (#1001) when `shopify` is an order or one of its refunds" }),
  erp: z.string().optional(),
});

export const ExceptionRecord = z
  .object({
    id: z.string(),
    type: z.string(),
    key: z.string(),
    title: z.string(),
    detail: z.string().nullable(),
    severity: Severity,
    owner: Owner,
    assignee: z.string().nullable(),
    state: State,
    autoResolved: z.boolean(),
    resolutionNote: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    count: z.number().int(),
    firstSeen: z.number().int(),
    lastSeen: z.number().int(),
    resolvedAt: z.number().int().nullable(),
    links: Links,
    data: z.record(z.string(), z.unknown()).nullable(),
    alertedAt: z.number().int().nullable(),
    retryable: z
      .boolean()
      .optional()
      .openapi({ description: 'It holds a failed run that retry replays (a monitor links the run that found it, which succeeded: nothing to retry)' }),
  })
  .openapi('Exception');

export const ExceptionDetail = ExceptionRecord.extend({
  runs: z.array(z.object({ runId: z.string(), flowId: z.string().nullable(), status: z.string(), at: z.number().int() })),
  events: z.array(
    z.object({ id: z.number().int(), at: z.number().int(), actor: z.string(), action: z.string(), note: z.string().nullable(), data: z.unknown() }),
  ),
}).openapi('ExceptionDetail');

export const ListQuery = z.object({
  owner: Owner.optional(),
  type: z.string().min(1).max(100).optional(),
  state: z.enum(['open', 'acknowledged', 'resolved', 'unresolved']).optional(),
  severity: Severity.optional(),
  assignee: z.string().min(1).max(200).optional(),
  /** Only those raised for this Shopify payout (by the payout reconciliation). */
  payout: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

export const IdParam = z.object({ id: z.string().min(1).max(100) });
const note = z.string().trim().min(1).max(4000);
export const NoteBody = z.object({ note: note.optional() }).strict();
export const AssignBody = z
  .object({ assignee: z.string().trim().min(1).max(200).nullable().optional(), owner: Owner.optional(), note: note.optional() })
  .strict()
  .refine((b) => b.assignee !== undefined || b.owner !== undefined, { message: 'give an assignee (or null to unassign) or an owner' });
export const ResolveBody = z.object({ note }).strict();
export const RetryResult = z.object({
  replayed: z.array(z.object({ runId: z.string(), newRunId: z.string() })),
  skipped: z.array(z.object({ runId: z.string(), reason: z.string() })),
});
export const BulkBody = z
  .object({
    ids: z.array(z.string().min(1).max(100)).min(1).max(500),
    action: z.enum(['acknowledge', 'assign', 'resolve', 'retry']),
    note: note.optional(),
    assignee: z.string().trim().min(1).max(200).nullable().optional(),
    owner: Owner.optional(),
  })
  .strict()
  .refine((b) => b.action !== 'resolve' || b.note, { message: 'resolve needs a note', path: ['note'] })
  .refine((b) => b.action !== 'assign' || b.assignee !== undefined || b.owner !== undefined, {
    message: 'assign needs an assignee or an owner',
    path: ['assignee'],
  });
export const BulkResult = z.object({ results: z.array(z.object({ id: z.string(), ok: z.boolean(), error: z.string().optional() })) });
