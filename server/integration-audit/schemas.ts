// The OpenAPI schema of the integration audit's JSON answer, the shape of audit.ts's AuditReport: the route returns an
// AuditReport through it, so the two cannot drift apart without a compile error.
import { z } from '@hono/zod-openapi';

const Finding = z
  .object({
    kind: z.enum([
      'duplicate-sku',
      'empty-sku',
      'erp-duplicate-sku',
      'sku-missing-in-erp',
      'unmapped-tax-rate',
      'unmapped-location',
      'gateway-without-payment-method',
      'missing-lookup-table',
      'flow-without-error-handling',
      'flow-without-monitor',
      'erp-item-not-in-shopify',
    ]),
    severity: z.enum(['high', 'medium', 'low']),
    owner: z.enum(['finance', 'operations', 'ecommerce']),
    subject: z.string(),
    message: z.string(),
    fix: z.string(),
  })
  .openapi('AuditFinding');

export const AuditReportSchema = z
  .object({
    generatedAt: z.string(),
    summary: z.object({
      variants: z.number().int(),
      orders: z.number().int(),
      flows: z.number().int(),
      findings: z.number().int(),
      high: z.number().int(),
      medium: z.number().int(),
      low: z.number().int(),
    }),
    findings: z.array(Finding),
  })
  .openapi('IntegrationAuditReport');
