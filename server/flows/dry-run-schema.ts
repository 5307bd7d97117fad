// The OpenAPI schema of a dry-run report (POST /api/flows/{id}/dry-run), the shape of DryRunReport in dry-run.ts;
// the route returns a DryRunReport through it, so the two cannot drift apart without a compile error. Schemas used
// as `.nullable()` stay unnamed: naming one makes the shared component itself nullable in the document.
import { z } from '../api/http.ts';

const FieldChange = z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() });

const DocumentChange = z.object({
  nodeId: z.string(),
  action: z.string(),
  key: z.string().optional(),
  before: z.unknown().optional().openapi({ description: 'The document the live version would send (absent: it would send none).' }),
  after: z.unknown().optional(),
  fields: z.array(FieldChange),
});

const Outcome = z.object({
  status: z.enum(['succeeded', 'failed', 'skipped', 'stopped']),
  message: z.string().optional().openapi({ description: 'Why it fails, is skipped, or where it stopped.' }),
  nodeId: z.string().optional(),
  exceptions: z.array(z.string()).openapi({ description: 'Exceptions the run would raise (not raised).' }),
});

const Verdict = z
  .enum(['changed', 'unchanged', 'breaks', 'fixes', 'fails'])
  .openapi({ description: '`breaks`: the live version gets through, the draft would fail; `fixes`: the reverse.' });

const DryRunEvent = z
  .object({
    eventId: z.string(),
    runId: z.string(),
    label: z.string().openapi({ description: 'The order name (or id) the event was about.' }),
    receivedAt: z.number(),
    runStatus: z.string().openapi({ description: 'What the real run did.' }),
    verdict: Verdict,
    before: Outcome.nullable(),
    after: Outcome,
    documents: z.array(DocumentChange),
  })
  .openapi('DryRunEvent');

export const DryRunReportSchema = z
  .object({
    flowId: z.string(),
    baseVersion: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The version the draft is compared with (the active one, else the latest); null before the first publish.' }),
    limit: z.number().int(),
    events: z.array(DryRunEvent),
    summary: z.object({
      events: z.number().int(),
      changed: z.number().int(),
      unchanged: z.number().int(),
      breaks: z.number().int(),
      fixes: z.number().int(),
      fails: z.number().int(),
    }),
  })
  .openapi('DryRunReport');
