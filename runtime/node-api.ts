// The contract between the runtime and every node type. Nodes import this file (and nothing else from runtime/);
// the capabilities a host gives nodes (lookup tables, exception inbox, monitoring) are declared under node-api/.
import type { z } from 'zod';
import type { Sandbox } from './sandbox/types.ts';
import { JsonText, SandboxError } from './sandbox/types.ts';
import type { ExceptionSink } from './node-api/exceptions.ts';
import type { LookupSource } from './node-api/lookups.ts';
import type { MonitorHost } from './node-api/monitoring.ts';

export { JsonText, SandboxError };
export type { Sandbox, SandboxCall, SandboxErrorKind, SandboxResult } from './sandbox/types.ts';
export type * from './node-api/exceptions.ts';
export type * from './node-api/lookups.ts';
export type * from './node-api/monitoring.ts';

/**
 * What a host gives nodes besides the engine itself, each typed here so that host and node agree on one contract.
 * A host without one leaves it out; the node then says it needs it (or carries on without, e.g. a sample).
 */
export interface NodeServices {
  /** Lookup tables (read; a run records which version it used). */
  lookups?: LookupSource;
  /** The exception inbox people triage. */
  exceptions?: ExceptionSink;
  /** Run and event statistics for monitors, and the dashboard's measured series. */
  monitoring?: MonitorHost;
}

export type NodeCategory = 'trigger' | 'core' | 'lookup' | 'shopify' | 'erp' | 'finance' | 'monitor';

export interface PortSpec {
  id: string;
  title?: string;
  /** Free-form shape hint shown in the designer (e.g. 'ShopifyOrder'); connections are checked by port id. */
  dataType?: string;
}

/** How a trigger node is fired. The runtime only stores the kind; hosts (server, CLI) do the firing. */
export type TriggerKind = 'manual' | 'schedule' | 'webhook' | 'shopify-webhook';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * Persistent key/value state scoped to one flow (e.g. a fulfilment cursor). Writes made by a step are committed
 * together with that step's success, so a retried or resumed step never sees a half-advanced cursor. A read goes to
 * the store (asynchronous: PostgreSQL is a network away) unless this step set the key; a write is staged in memory.
 */
export interface FlowState {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): void;
}

/** A payout's standing in the reconciliation records. */
export type PayoutStanding = 'pending' | 'posted' | 'not-paid';

/**
 * Payout reconciliation records the runtime keeps in indexed tables (not in flow state, not capped), scoped to the
 * flow and a key the node chooses (its ERP connection): which ERP document each payout claimed, and each payout's
 * standing. Reads see the store plus this step's own writes; writes land together with the step's success, like
 * FlowState, so a failed or retried step claims nothing. Reads (and claims, staged in the store on SQLite) are
 * asynchronous: the store may be PostgreSQL.
 */
export interface ReconciliationRecords {
  /** Of these ERP document uids, the ones already claimed, with the claiming payout id. */
  claimedBy(docUids: readonly string[]): Promise<Map<string, string>>;
  /** Claims documents for a payout; a document claimed before keeps its first claim. */
  claim(payoutId: string, claims: ReadonlyArray<{ docUid: string; item: string; matchedBy: string }>): Promise<void>;
  /** The documents a payout claimed (for settlement and drill-down), in claim order. */
  claimsOf(payoutId: string): Promise<Array<{ docUid: string; item: string; matchedBy: string }>>;
  /** Standing of these payouts; a payout never seen is absent. */
  standing(payoutIds: readonly string[]): Promise<Map<string, PayoutStanding>>;
  /** Payouts still pending, oldest first, with the data kept for them. */
  pending(): Promise<Array<{ payoutId: string; issuedAt: string; data: unknown }>>;
  setPending(payoutId: string, issuedAt: string, data: unknown): void;
  /** The payout's journal went out (`journal`: its external id in the ERP); its kept data is dropped. */
  setPosted(payoutId: string, issuedAt: string, journal: string): void;
  setNotPaid(payoutId: string, issuedAt: string): void;
  /** What a posted payout settles in the ERP, kept until settled (with the step, like the payout's standing). */
  setSettlement(payoutId: string, data: unknown): void;
  /** A payout's settlement: `pending` (to book) or `settled` (the ERP holds it: `result`); absent when none was kept. */
  settlement(payoutId: string): Promise<{ status: 'pending' | 'settled'; data: unknown; result: unknown } | null>;
  /**
   * The ERP now holds the payout's settlement. Written at once, not with the step: the ERP booked it whatever becomes
   * of the step, so a step that fails later in a backlog resumes after the payouts already settled.
   */
  markSettled(payoutId: string, result: unknown): Promise<void>;
}

/** What a reader wrote for one payout: how many rows, and a digest of them in read order (sha-256, hex). */
export interface StoredPayoutRef {
  count: number;
  digest: string;
}

/** One read of a payout's rows: pages are written to the store at once; `finish` drops rows an earlier read left. */
export interface PayoutRowWriter {
  /** One page, in read order; each row keyed by its source id (a row read again replaces the one stored). */
  write(rows: ReadonlyArray<{ id: string; data: string }>): Promise<void>;
  finish(): Promise<StoredPayoutRef>;
}

/**
 * Rows of payouts (Shopify balance transactions) kept in the runtime's store, scoped to the flow and a key the node
 * chooses (its Shopify connection), so a step can hand a reference to the next one instead of the rows themselves.
 * Writes go to the store as they are made (a re-read is idempotent), except `drop`, which lands with the step's
 * success.
 */
export interface PayoutRowStore {
  begin(payoutId: string): Promise<PayoutRowWriter>;
  /**
   * The payout's rows in read order, `size` at a time; checked against `expect` as they are read (count and digest):
   * rows that changed since the reference was made throw, naming the payout.
   */
  read(payoutId: string, size: number, expect?: StoredPayoutRef): AsyncGenerator<string[]>;
  /** The rows of these payouts are no longer needed (posted or not paid); removed with the step's success. */
  drop(payoutIds: readonly string[]): void;
}

/** The kinds of connection a host keeps: a Shopify store, an ERP. */
export type ConnectionKind = 'shopify' | 'erp';

/**
 * The metadata key by which a config field that names a connection declares the kind it takes, e.g.
 * `z.string().meta(connectionKindMeta('erp'))`: the designer's picker offers only connections of that kind, and
 * validation given the host's connections reports one of another kind. The same key flows/validate.ts reads (flows/
 * depends on no other room) and the JSON Schema of the catalogue carries.
 */
export const CONNECTION_KIND = 'x-connection-kind';

/** Metadata for a config field naming a connection of `kind` (see CONNECTION_KIND). */
export const connectionKindMeta = (kind: ConnectionKind): { [CONNECTION_KIND]: ConnectionKind } => ({ [CONNECTION_KIND]: kind });

/**
 * The metadata key by which a config field declares that it holds code the node runs in the sandbox, and as what:
 * `z.string().meta(sandboxCodeMeta('expression'))`. Validation and publishing parse it as the sandbox will (flows/
 * validate.ts reads the same key), so a typo is a problem named at its node and field, not a failed run per event.
 */
export const SANDBOX_CODE = 'x-sandbox-code';

/** Metadata for a config field holding sandboxed code: the body of an async function, or one expression. */
export const sandboxCodeMeta = (kind: 'function' | 'expression'): { [SANDBOX_CODE]: 'function' | 'expression' } => ({ [SANDBOX_CODE]: kind });

/** Resolves a connection (Shopify store, ERP...) by its id. Provided by the host; nodes never import the server. */
export type ConnectionResolver = (kind: string, connectionId: string) => Promise<unknown>;

/** What `claims.claim` found: the key is this run's to create under, or another live run holds it. */
export type ClaimResult =
  | { mine: true; state: 'claimed' | 'done'; document: string | null; takenOver: boolean }
  | { mine: false; state: 'claimed'; holder: string };

/**
 * Business keys (e.g. `sales-order:<shop>:<order id>`) claimed in Ledgerline's own store, in a transaction, before an
 * ERP document is created, so two runs of one order at once create one document. A key held by a run that is still
 * queued or running is not yours: wait (fail transiently) and try again. A key whose holder ended without completing
 * is taken over (the ERP's own search-before-create then finds anything it made).
 */
export interface BusinessClaims {
  claim(key: string): Promise<ClaimResult>;
  /** The document exists: later claims of the key get `state: 'done'` and the document. Written at once, not with the step. */
  complete(key: string, document: string): Promise<void>;
  /** Gives the key up (nothing was created). */
  release(key: string): Promise<void>;
}

/** Configuration a step read besides its own settings (a lookup table version), recorded on the step for replays. */
export interface ConfigRead {
  kind: 'lookup';
  table: string;
  /** `shared` or the flow id owning the table. */
  scope: string;
  tableId: number;
  version: number;
}

export interface NodeContext<C = unknown> {
  runId: string;
  flowId: string;
  flowVersion: number;
  nodeId: string;
  /** 1 for the first attempt of this step. */
  attempt: number;
  config: C;
  /** Set when the flow gives this node an idempotency key (evaluated per run), for non-idempotent writes. */
  idempotencyKey?: string;
  /** The event that started the run (trigger output), for nodes that need it beyond their direct input. */
  trigger: unknown;
  /** The input as JSON text when the runtime already has it: hand it to the sandbox to skip a serialisation. */
  rawInput?: JsonText;
  log: Logger;
  sandbox: Sandbox;
  state: FlowState;
  connection<T = unknown>(kind: string, connectionId: string): Promise<T>;
  /** Business-key claims in Ledgerline's store (the runtime provides them; absent in bare test contexts). */
  claims?: BusinessClaims;
  /** Payout reconciliation records under `scope` (the runtime provides them; a bare test context may not). */
  reconciliation?(scope: string): ReconciliationRecords;
  /** Payout rows (balance transactions) under `scope`, read page by page and referenced between steps (the runtime provides them). */
  payoutRows?(scope: string): PayoutRowStore;
  /**
   * Records configuration the step read (a lookup table version). A replay re-runs the step when it changed since.
   * Absent in bare test contexts.
   */
  readConfig?(read: ConfigRead): void;
  /**
   * Set in a dry run (a change tried on past events before it goes live): nothing may be written to any system. The
   * runtime calls a node's `dryRun` instead of `execute` there; a 'pure' node runs as usual, with state writes,
   * claims and the exception inbox taken away by the host.
   */
  dryRun?: true;
  /** Lookup tables, when the host provides them (see NodeServices). */
  lookups?: LookupSource;
  /** The exception inbox, when the host provides one. In a dry run or test run it reaches no production view. */
  exceptions?: ExceptionSink;
  /** Run statistics and measured series, when the host provides them. */
  monitoring?: MonitorHost;
  signal: AbortSignal;
  now(): Date;
}

const ROUTE = Symbol.for('ledgerline.route');
const SKIP = Symbol.for('ledgerline.skip');

/** Why a run was skipped: shown on the run (runs API and list) instead of an error. */
export interface SkipReason {
  /** Stable machine code, e.g. `PAYMENT_NOT_CAPTURED`, `ORDER_CANCELLED`, `TEST_ORDER`. */
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface Skipped extends SkipReason {
  [SKIP]: true;
}

/**
 * Ends the run here with status `skipped` (not failed): the event was understood and deliberately needs nothing
 * (an unpaid or cancelled order, a test order). The step's output is the reason; no later step runs.
 */
export function skipRun(code: string, message: string, details?: Record<string, unknown>): Skipped {
  return { [SKIP]: true, code, message, ...(details ? { details } : {}) };
}

export function isSkipped(v: unknown): v is Skipped {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[SKIP] === true;
}

export interface Routed<O = unknown> {
  [ROUTE]: true;
  port: string;
  data: O;
}

/** Send `data` out of one named output port only (e.g. a branch's `true`). Plain returns go out of every port. */
export function route<O>(port: string, data: O): Routed<O> {
  return { [ROUTE]: true, port, data };
}

/** An output that comes with its JSON text already made (e.g. by the sandbox), so the runtime persists it as is. */
export class WithJson<O = unknown> {
  constructor(
    readonly value: O,
    readonly json: string,
  ) {}
}

/**
 * An output that is the node's input with only the values at `changed` paths replaced or added (a lookup writing codes
 * into an order's lines): the runtime stores those values and a reference to the input, not the whole input again.
 * The paths must cover every change; elsewhere the value equals the input (and may share its objects).
 */
export class InputWith<O = unknown> {
  constructor(
    readonly value: O,
    readonly changed: ReadonlyArray<ReadonlyArray<string | number>>,
  ) {}
}

export function isRouted(v: unknown): v is Routed {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[ROUTE] === true;
}

export type NodeOutput<O> = O | Routed<O> | WithJson<O> | Routed<WithJson<O>> | InputWith<O> | Routed<InputWith<O>> | Skipped;

export interface NodeType<C = any, I = any, O = any> {
  /** Stable id used in flow JSON, e.g. `core.code`, `erp.post-sales-order`. */
  type: string;
  version: number;
  title: string;
  category: NodeCategory;
  description: string;
  config: z.ZodType<C>;
  inputs: PortSpec[];
  outputs: PortSpec[];
  /** Safe to run twice with the same input (no duplicate side effect). Non-idempotent nodes are never blindly re-run. */
  idempotent: boolean;
  /**
   * Its output is a function of its settings and its input alone (it reads no clock, state, lookup, connection or
   * sandbox): the runtime stores a reference instead and runs the node again when the output is read back (a resumed
   * run, run detail, a replay). For a trigger, whose output restates the stored event, that is most of what a run
   * would otherwise store. A node so marked that reaches for anything else fails its rebuild with a clear error.
   */
  rebuildsOutput?: true;
  trigger?: TriggerKind;
  /** A realistic output so mappings can be designed before the first real event. */
  sampleOutput: O;
  /**
   * The shape this node expects on its input (e.g. the ERP sales order), with `.describe()` texts. A mapping placed
   * before the node lists these fields as its targets, and validation checks that every required one is filled.
   */
  input?: z.ZodType;
  /**
   * Checks of a configured node against the nodes its output feeds (`next`), beyond its own config schema. Each
   * problem names the config path it is about; validation reports it on this node.
   */
  check?(config: C, ctx: { next: Array<{ nodeId: string; type: NodeType }> }): Array<{ path: PropertyKey[]; message: string }>;
  execute(ctx: NodeContext<C>, input: I): Promise<NodeOutput<O>> | NodeOutput<O>;
  /**
   * How a dry run treats the node (see `NodeContext.dryRun`):
   * - `'pure'`: it writes nothing outside its output (it may read the ERP, Shopify, lookup tables), so `execute` runs;
   * - a function: what the node WOULD write (e.g. the document an ERP post sends), found without writing it, and,
   *   when the flow can go on without the real answer, an output standing in for it downstream;
   * - absent: the node writes and cannot say what; a dry run stops before it.
   */
  dryRun?: 'pure' | ((ctx: NodeContext<C>, input: I) => Promise<DryRunOutput<O>> | DryRunOutput<O>);
}

/** One write a node would make: the system, what it would do, the business key, and the document it would send. */
export interface WouldWrite {
  system: 'erp' | 'shopify' | string;
  action: string;
  key?: string;
  document: unknown;
}

export interface DryRunOutput<O = unknown> {
  writes: WouldWrite[];
  /** Stands in for the real output downstream; absent: the nodes after this one need the real answer and do not run. */
  output?: O | Skipped;
}

export function defineNode<C, I = unknown, O = unknown>(def: NodeType<C, I, O>): NodeType<C, I, O> {
  return def;
}

/**
 * - `transient`: failed before any side effect could happen (connection refused, 429, lock); safe to retry.
 * - `ambiguous`: the request may have taken effect (timeout after send); retried only if the node is idempotent
 *   or has an idempotency key.
 * - `permanent`: retrying will not help (validation, missing data); the run fails and is kept for replay.
 */
export type ErrorClass = 'transient' | 'ambiguous' | 'permanent';

export class NodeError extends Error {
  readonly errorClass: ErrorClass;
  readonly code?: string;
  readonly details?: Record<string, unknown>;
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    opts: { errorClass?: ErrorClass; code?: string; details?: Record<string, unknown>; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'NodeError';
    this.errorClass = opts.errorClass ?? 'permanent';
    this.code = opts.code;
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export const transientError = (message: string, opts: Omit<ConstructorParameters<typeof NodeError>[1] & {}, 'errorClass'> = {}) =>
  new NodeError(message, { ...opts, errorClass: 'transient' });
export const permanentError = (message: string, opts: Omit<ConstructorParameters<typeof NodeError>[1] & {}, 'errorClass'> = {}) =>
  new NodeError(message, { ...opts, errorClass: 'permanent' });
export const ambiguousError = (message: string, opts: Omit<ConstructorParameters<typeof NodeError>[1] & {}, 'errorClass'> = {}) =>
  new NodeError(message, { ...opts, errorClass: 'ambiguous' });
