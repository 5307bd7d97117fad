// Wire types of the HTTP API, derived from the generated openapi.d.ts (contract.ts). The flow document types come
// from flows/ (the zod schema the server validates with): the API document types a flow only loosely (drafts may be
// incomplete), so the designer reads them as `Flow`.
import type { Flow, FlowNode, FlowEdge } from '../../../flows/schema.ts';
import type { Res, Schema } from './contract.ts';

export type { Flow, FlowNode, FlowEdge };

export type Problem = Schema<'Problem'>;
export type User = Schema<'Me'>;
/** The server's roles (server/auth/roles.ts); older servers used admin/operations/finance (see app/permissions.ts). */
export type Role = User['role'];

export type NodeTypeApi = Schema<'NodeType'>;
export type TriggerKind = NonNullable<NodeTypeApi['trigger']>;
export type PortSpec = NodeTypeApi['inputs'][number] & { dataType?: string };

/** A JSON Schema as the node catalog sends it (configSchema, inputSchema): the designer's reading of it. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  [k: string]: unknown;
}

/** A catalog entry, its JSON Schemas read as `JsonSchema`. */
export type NodeTypeInfo = Omit<NodeTypeApi, 'configSchema' | 'inputSchema' | 'inputs' | 'outputs'> & {
  configSchema: JsonSchema;
  /** What the node expects on its input: a mapping before it fills these fields. */
  inputSchema?: JsonSchema;
  inputs: PortSpec[];
  outputs: PortSpec[];
};

export type FlowSummary = Schema<'FlowSummary'>;
/** A version as the versions list reads it (approvedBy); publish adds the overlap warnings. */
export type VersionInfo = Res<'/api/flows/{id}/versions', 'get'>['versions'][number] & { warnings?: FlowWarning[] };
export type FlowDiff = Schema<'FlowDiff'>;
export type RunStatus = Schema<'RunSummary'>['status'];
export type RunSummary = Schema<'RunSummary'>;
export type RunStep = Schema<'StepRecord'>;
export type RunRecord = Schema<'RunRecord'>;
export type ConnectionInfo = Schema<'Connection'>;
/** A flow template (flows/templates/*.json) to start a new flow from. */
export type FlowTemplate = Omit<Schema<'FlowTemplate'>, 'flow'> & { flow: Flow };
/** Another active flow posting the same Shopify event to the same ERP (server/flows/overlaps.ts). */
export type FlowWarning = Res<'/api/flows/{id}', 'get'>['warnings'][number];
