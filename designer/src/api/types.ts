// Wire types of the HTTP API (see the API contract). The flow document types come from flows/ (types only).
import type { Flow, FlowNode, FlowEdge } from '../../../flows/schema.ts';

export type { Flow, FlowNode, FlowEdge };

export interface Problem {
  where: string;
  path: string;
  message: string;
}

/** The server's roles (server/auth/roles.ts); older servers used admin/operations/finance (see app/permissions.ts). */
export type Role = 'owner' | 'consultant' | 'client' | 'operator' | 'viewer';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export type TriggerKind = 'manual' | 'schedule' | 'webhook' | 'shopify-webhook';

export interface PortSpec {
  id: string;
  title?: string;
  dataType?: string;
}

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

export interface NodeTypeInfo {
  type: string;
  version: number;
  title: string;
  category: string;
  description: string;
  configSchema: JsonSchema;
  inputs: PortSpec[];
  outputs: PortSpec[];
  idempotent: boolean;
  trigger?: TriggerKind;
  sampleOutput: unknown;
  /** What the node expects on its input: a mapping before it fills these fields. */
  inputSchema?: JsonSchema;
}

export interface FlowSummary {
  id: string;
  name: string;
  active: boolean;
  activeVersion: number | null;
  latestVersion: number | null;
  draftUpdatedAt: string | null;
  createdAt: string;
  description?: string;
  /** Set when an operator paused it from triage (list read). */
  paused?: { by: string; at: number } | null;
}

export interface VersionInfo {
  warnings?: FlowWarning[];
  version: number;
  hash: string;
  message: string;
  createdAt: string;
  createdBy: string;
  /** A client's change approved by this consultant or owner (createdBy is the client). */
  approvedBy?: string;
}

export interface FlowDiff {
  nodes: { added: unknown[]; removed: unknown[]; changed: { id: string; fields: string[] }[] };
  edges: { added: unknown[]; removed: unknown[] };
}

export type RunStatus = string;

export interface RunSummary {
  runId: string;
  flowId: string;
  flowVersion: number;
  eventId: string | null;
  status: RunStatus;
  replayOf: string | null;
  error: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunStep {
  nodeId: string;
  type: string;
  status: string;
  attempts: number;
  port?: string;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  reusedFrom?: string;
  /** The configuration the step read when it ran (flow version, lookup table versions). */
  reads?: { flowVersion: number; lookups: Array<{ table: string; scope: string; tableId: number; version: number }> };
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface RunRecord extends RunSummary {
  keys: Record<string, string>;
  steps: RunStep[];
}

export interface ConnectionInfo {
  id: string;
  kind: 'shopify' | 'erp';
  provider: string;
  name: string;
  config: Record<string, unknown>;
  hasSecret: boolean;
}

/** A flow template (flows/templates/*.json) to start a new flow from. */
export interface FlowTemplate {
  id: string;
  name: string;
  description: string;
  trigger: { type: string; title: string; topic?: string; cron?: string } | null;
  steps: string[];
  flow: Flow;
}

/** Another active flow posting the same Shopify event to the same ERP (server/flows/overlaps.ts). */
export interface FlowWarning {
  flowId: string;
  flowName: string;
  message: string;
}
