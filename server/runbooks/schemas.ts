// The OpenAPI schema of a runbook's JSON answer, the shape of runbook.ts's Runbook: the route returns a Runbook
// through it, so the two cannot drift apart without a compile error.
import { z } from '@hono/zod-openapi';

export const RunbookSchema = z
  .object({
    flowId: z.string(),
    title: z.string(),
    purpose: z.string(),
    triggers: z.array(z.string()),
    steps: z.array(z.object({ name: z.string(), does: z.string() })),
    ownership: z.array(z.object({ system: z.string(), data: z.string(), flow: z.enum(['reads', 'writes']) })),
    mappings: z.array(z.object({ step: z.string(), rows: z.array(z.object({ target: z.string(), from: z.string() })) })),
    lookups: z.array(z.object({ table: z.string(), usedBy: z.string(), purpose: z.string(), rows: z.array(z.record(z.string(), z.string())).nullable() })),
    exceptions: z.array(z.object({ type: z.string(), owner: z.string(), meaning: z.string(), triage: z.array(z.string()) })),
    triage: z
      .array(z.object({ type: z.string(), category: z.string(), explanation: z.string(), nextStep: z.string(), action: z.string() }))
      .openapi({ description: 'The triage table of these exception types, from the same rules the product triages with.' }),
    checks: z.object({ daily: z.array(z.string()), weekly: z.array(z.string()), monthEnd: z.array(z.string()) }),
  })
  .openapi('Runbook');
