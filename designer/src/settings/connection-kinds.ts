// The fields each kind of connection takes (nodes/shopify client, nodes/erp/connection.ts), split into config (shown
// again) and secrets (write-only: sent once, stored encrypted, never shown back).
export interface FieldSpec {
  key: string;
  label: string;
  secret?: boolean;
  required?: boolean;
  help?: string;
  placeholder?: string;
}
export interface ProviderSpec {
  kind: 'shopify' | 'erp';
  provider: string;
  label: string;
  fields: FieldSpec[];
  note?: string;
}

export const PROVIDERS: ProviderSpec[] = [
  {
    kind: 'shopify',
    provider: 'shopify',
    label: 'Shopify store',
    fields: [
      { key: 'shopDomain', label: 'Shop domain', required: true, placeholder: 'your-shop.myshopify.com' },
      { key: 'accessToken', label: 'Admin API access token', secret: true, help: 'From the custom app (shpat_…); or give a client id and secret instead.' },
      { key: 'clientId', label: 'Client id', help: 'For the client credentials grant, with the client secret.' },
      { key: 'clientSecret', label: 'Client secret', secret: true },
      {
        key: 'webhookSecret',
        label: 'Webhook secret',
        secret: true,
        help: 'The app’s secret Shopify signs webhooks with. Leave empty on create to have one generated and shown once.',
      },
    ],
  },
  {
    kind: 'erp',
    provider: 'tryton',
    label: 'Tryton',
    fields: [
      { key: 'url', label: 'Server URL', required: true, placeholder: 'https://erp.example.com' },
      { key: 'database', label: 'Database', required: true },
      { key: 'user', label: 'User', required: true },
      { key: 'password', label: 'Password', secret: true, required: true },
      { key: 'journal', label: 'Journal' },
      { key: 'paymentTerm', label: 'Payment term' },
      { key: 'shippingSku', label: 'Shipping SKU' },
    ],
  },
  {
    kind: 'erp',
    provider: 'netsuite',
    label: 'NetSuite (token-based auth)',
    fields: [
      { key: 'accountId', label: 'Account id', required: true, placeholder: '1234567 or 1234567_SB1' },
      { key: 'subsidiaryId', label: 'Subsidiary id' },
      { key: 'consumerKey', label: 'Consumer key', secret: true, required: true },
      { key: 'consumerSecret', label: 'Consumer secret', secret: true, required: true },
      { key: 'tokenId', label: 'Token id', secret: true, required: true },
      { key: 'tokenSecret', label: 'Token secret', secret: true, required: true },
    ],
  },
  {
    kind: 'erp',
    provider: 'business-central',
    label: 'Business Central',
    fields: [
      { key: 'tenantId', label: 'Tenant id', required: true },
      { key: 'environment', label: 'Environment', required: true, placeholder: 'production' },
      { key: 'companyId', label: 'Company id (GUID)', required: true },
      { key: 'clientId', label: 'Client id', required: true },
      { key: 'clientSecret', label: 'Client secret', secret: true, required: true },
    ],
  },
  { kind: 'erp', provider: 'sandbox', label: 'Sandbox ERP', fields: [], note: 'A local ERP in the data dir, for trying flows.' },
];

export const providerSpec = (kind: string, provider: string) =>
  PROVIDERS.find((p) => p.kind === kind && p.provider === provider) ?? (kind === 'shopify' ? PROVIDERS[0] : undefined);

/** Splits a form's values into config and secrets; empty secrets are left out (on edit: "keep the stored one"). */
export function splitValues(spec: ProviderSpec, values: Record<string, string>): { config: Record<string, string>; secrets: Record<string, string> } {
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const f of spec.fields) {
    const v = (values[f.key] ?? '').trim();
    if (!v) continue;
    (f.secret ? secrets : config)[f.key] = v;
  }
  return { config, secrets };
}

/** Required fields left empty; secrets count as present on edit when one is already stored. */
export function missing(spec: ProviderSpec, values: Record<string, string>, editing: boolean): string[] {
  return spec.fields.filter((f) => f.required && !(values[f.key] ?? '').trim() && !(editing && f.secret)).map((f) => f.label);
}

/** A webhook secret for a new Shopify connection when none was given (shown once, then write-only). */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return 'whsec_' + [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
