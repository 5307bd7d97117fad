// The sandbox store's bulk operations (https://shopify.dev/docs/api/usage/bulk-operations/queries and /imports):
// bulkOperationRunQuery, stagedUploadsCreate + the upload of a JSONL variables file, bulkOperationRunMutation,
// bulkOperation(id) / currentBulkOperation / bulkOperations polling, bulkOperationCancel, JSONL result files, the
// bulk_operations/finish webhook and five operations of each type at a time per shop (API 2026-01+).
//
// Processing-rate model (stated, not measured from Shopify, which documents none): an operation stays CREATED for
// `startupSeconds`, then RUNNING while it processes `objectsPerSecond` objects. A query's objects are its JSONL
// lines (every node of every connection). A mutation's objects are, per line, 1 (the mutation) plus the elements of
// its input lists (a line of 250 quantities = 251 objects). Mutation lines are executed as modelled time reaches
// them, so a sale made while an operation runs lands between lines, as on Shopify. Durations run on a modelled
// clock that is `timeScale` times faster than real time (1 = real time), so tests and benchmarks can model hours.
// The bulk work costs no points; only the GraphQL requests that start, poll or cancel it do.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Kind, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { checkBulkQuery, flattenBulkResult } from './bulk-rules.ts';

export interface BulkRateModel {
  /** JSONL objects a bulk query produces per modelled second. */
  queryObjectsPerSecond: number;
  /** Objects (mutations + their input list elements) a bulk mutation processes per modelled second. */
  mutationObjectsPerSecond: number;
  /** Modelled seconds an operation stays CREATED before it starts running. */
  startupSeconds: number;
}

/** Default model per plan (configurable): assumed figures, chosen as the order of magnitude third-party reports give. */
export const BULK_RATES: Record<'standard' | 'advanced' | 'plus', BulkRateModel> = {
  standard: { queryObjectsPerSecond: 1000, mutationObjectsPerSecond: 1000, startupSeconds: 2 },
  advanced: { queryObjectsPerSecond: 1500, mutationObjectsPerSecond: 1500, startupSeconds: 2 },
  plus: { queryObjectsPerSecond: 2000, mutationObjectsPerSecond: 2000, startupSeconds: 2 },
};

export const MAX_CONCURRENT_PER_TYPE = 5;
/** Staged JSONL uploads may be up to 100 MB since API 2026-01 (changelog "Faster bulk operations"). */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';
export type BulkErrorCode = 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT';

export interface BulkOp {
  id: string;
  type: 'QUERY' | 'MUTATION';
  status: BulkStatus;
  errorCode: BulkErrorCode | null;
  query: string;
  clientIdentifier: string | null;
  /** Modelled ms. */
  createdAtMs: number;
  completedAtMs: number | null;
  /** Modelled ms at which processing starts and (without failure) ends. */
  startsAtMs: number;
  endsAtMs: number;
  totalObjects: number;
  objectCount: number;
  rootObjectCount: number;
  /** Result lines produced so far (queries: all, revealed at the end; mutations: one per executed line). */
  lines: string[];
  /** Mutation only: the parsed document, variables per line and objects per line. */
  mutation?: { doc: DocumentNode; variables: Record<string, unknown>[]; weights: number[]; done: number };
  /** Injected failure: the operation fails once it has processed this share of its objects. */
  failAt?: { share: number; errorCode: BulkErrorCode };
}

export interface BulkHost {
  schema: GraphQLSchema;
  /** Executes a document against the store's data (bulk = connections unpaged). */
  execute(doc: DocumentNode, variables: Record<string, unknown>, bulk: boolean): Promise<ExecutionResult> | ExecutionResult;
  baseUrl(): string;
  shopDomain(): string;
  onFinish(op: BulkOp): void;
}

export interface BulkOptions {
  rates: BulkRateModel;
  /** Modelled seconds per real second (1 = real time). */
  timeScale?: number;
}

const ACTIVE: BulkStatus[] = ['CREATED', 'RUNNING', 'CANCELING'];

export class BulkOperations {
  readonly ops = new Map<string, BulkOp>();
  readonly uploads = new Map<string, string>();
  rates: BulkRateModel;
  private scale = 1;
  private realAt = performance.now();
  private modelledAt = Date.now();
  private readonly secret = randomBytes(16).toString('hex');
  private nextId = 4_000_000_000;
  private injected: { share: number; errorCode: BulkErrorCode }[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: BulkHost,
    opts: BulkOptions,
  ) {
    this.rates = { ...opts.rates };
    this.scale = opts.timeScale ?? 1;
  }

  /** Modelled seconds per real second. Changing it keeps the modelled clock continuous. */
  get timeScale(): number {
    return this.scale;
  }

  set timeScale(v: number) {
    this.modelledAt = this.now();
    this.realAt = performance.now();
    this.scale = v;
  }

  /** Modelled epoch ms. */
  now(): number {
    return this.modelledAt + (performance.now() - this.realAt) * this.scale;
  }

  iso(ms: number | null): string | null {
    return ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The next bulk operation created fails with `errorCode` after processing `share` (0..1) of its objects. */
  failNext(errorCode: BulkErrorCode = 'INTERNAL_SERVER_ERROR', share = 0.5): void {
    this.injected.push({ share, errorCode });
  }

  private active(type: BulkOp['type']): number {
    let n = 0;
    for (const op of this.ops.values()) if (op.type === type && ACTIVE.includes(op.status)) n++;
    return n;
  }

  private create(type: BulkOp['type'], query: string, totalObjects: number, rate: number, extra: Partial<BulkOp>): BulkOp {
    const now = this.now();
    const startsAtMs = now + this.rates.startupSeconds * 1000;
    const op: BulkOp = {
      id: `gid://shopify/BulkOperation/${this.nextId++}`,
      type,
      status: 'CREATED',
      errorCode: null,
      query,
      clientIdentifier: null,
      createdAtMs: now,
      completedAtMs: null,
      startsAtMs,
      endsAtMs: startsAtMs + (totalObjects / rate) * 1000,
      totalObjects,
      objectCount: 0,
      rootObjectCount: 0,
      lines: [],
      ...extra,
    };
    const fail = this.injected.shift();
    if (fail) op.failAt = fail;
    this.ops.set(op.id, op);
    this.schedule();
    return op;
  }

  async runQuery(
    query: string,
    groupObjects: boolean,
  ): Promise<{ bulkOperation: BulkOp | null; userErrors: { code: string; field: string[]; message: string }[] }> {
    const err = (code: string, message: string) => ({ bulkOperation: null, userErrors: [{ code, field: ['query'], message }] });
    let doc: DocumentNode;
    try {
      doc = parse(query);
    } catch (e) {
      return err('INVALID', `Invalid bulk query: ${(e as Error).message}`);
    }
    const invalid = validate(this.host.schema, doc, specifiedRules);
    if (invalid.length) return err('INVALID', `Invalid bulk query: ${invalid.map((e) => e.message).join('; ')}`);
    const problems = checkBulkQuery(this.host.schema, doc);
    if (problems.length) return err('INVALID', problems.join(' '));
    if (this.active('QUERY') >= MAX_CONCURRENT_PER_TYPE)
      return err('LIMIT_REACHED', `A maximum of ${MAX_CONCURRENT_PER_TYPE} bulk query operations can run at a time per shop.`);
    // A snapshot taken when the operation is created; its lines are revealed as modelled processing reaches them.
    const result = await this.host.execute(doc, {}, true);
    if (result.errors?.length) return err('INVALID', `Invalid bulk query: ${result.errors.map((e) => e.message).join('; ')}`);
    const { lines } = flattenBulkResult(this.host.schema, doc, (result.data ?? {}) as Record<string, unknown>, groupObjects);
    const op = this.create('QUERY', query, lines.length, this.rates.queryObjectsPerSecond, { lines });
    return { bulkOperation: op, userErrors: [] };
  }

  /** stagedUploadsCreate for BULK_MUTATION_VARIABLES: a POST form target on this store, signed like a cloud bucket policy. */
  stage(filename: string): { url: string; resourceUrl: null; parameters: { name: string; value: string }[] } {
    const key = `tmp/${this.host.shopDomain()}/bulk/${randomUUID()}/${filename}`;
    const policy = Buffer.from(
      JSON.stringify({ key, expiration: new Date(Date.now() + 3600_000).toISOString(), 'content-length-range': [0, MAX_UPLOAD_BYTES] }),
    ).toString('base64');
    return {
      url: `${this.host.baseUrl()}/staged-uploads`,
      resourceUrl: null,
      parameters: [
        { name: 'Content-Type', value: 'text/jsonl' },
        { name: 'success_action_status', value: '201' },
        { name: 'acl', value: 'private' },
        { name: 'key', value: key },
        { name: 'policy', value: policy },
        { name: 'x-goog-signature', value: this.sign(policy) },
      ],
    };
  }

  sign(policy: string): string {
    return createHmac('sha256', this.secret).update(policy).digest('hex');
  }

  /** Accepts an upload (form fields already parsed); returns an HTTP status and body. */
  receiveUpload(fields: Map<string, string>, file: string | undefined): { status: number; body: string } {
    const policy = fields.get('policy') ?? '';
    if (fields.get('x-goog-signature') !== this.sign(policy))
      return { status: 403, body: '<Error><Code>AccessDenied</Code><Message>Invalid policy signature</Message></Error>' };
    let p: { key?: string; expiration?: string };
    try {
      p = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
    } catch {
      return { status: 400, body: '<Error><Code>InvalidPolicyDocument</Code></Error>' };
    }
    if (p.key !== fields.get('key')) return { status: 403, body: '<Error><Code>AccessDenied</Code><Message>Key does not match the policy</Message></Error>' };
    if (p.expiration && Date.parse(p.expiration) < Date.now()) return { status: 400, body: '<Error><Code>ExpiredToken</Code></Error>' };
    if (file === undefined) return { status: 400, body: '<Error><Code>InvalidArgument</Code><Message>No file field</Message></Error>' };
    if (Buffer.byteLength(file) > MAX_UPLOAD_BYTES) return { status: 413, body: '<Error><Code>EntityTooLarge</Code></Error>' };
    this.uploads.set(p.key!, file);
    return { status: 201, body: `<PostResponse><Key>${p.key}</Key></PostResponse>` };
  }

  runMutation(
    mutation: string,
    stagedUploadPath: string,
    clientIdentifier: string | null,
  ): { bulkOperation: BulkOp | null; userErrors: { code: string; field: string[]; message: string }[] } {
    const err = (code: string, field: string, message: string) => ({ bulkOperation: null, userErrors: [{ code, field: [field], message }] });
    let doc: DocumentNode;
    try {
      doc = parse(mutation);
    } catch (e) {
      return err('INVALID_MUTATION', 'mutation', `Failed to parse the mutation - ${(e as Error).message}`);
    }
    const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!op || op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'mutation')
      return err('INVALID_MUTATION', 'mutation', 'Bulk mutations must be a mutation operation.');
    if (op.selectionSet.selections.length !== 1) return err('INVALID_MUTATION', 'mutation', 'Bulk mutations must contain exactly one mutation field.');
    const invalid = validate(this.host.schema, doc, specifiedRules);
    if (invalid.length) return err('INVALID_MUTATION', 'mutation', invalid.map((e) => e.message).join('; '));
    const file = this.uploads.get(stagedUploadPath);
    if (file === undefined) return err('NO_SUCH_FILE', 'stagedUploadPath', `The JSONL file could not be found at ${stagedUploadPath}.`);
    const variables: Record<string, unknown>[] = [];
    const weights: number[] = [];
    const rows = file.split('\n');
    if (rows[rows.length - 1] === '') rows.pop();
    for (const [i, row] of rows.entries()) {
      let v: unknown;
      try {
        v = JSON.parse(row);
      } catch {
        return err('INVALID_STAGED_UPLOAD_FILE', 'stagedUploadPath', `Line ${i + 1} of the JSONL file is not valid JSON.`);
      }
      if (!v || typeof v !== 'object' || Array.isArray(v))
        return err('INVALID_STAGED_UPLOAD_FILE', 'stagedUploadPath', `Line ${i + 1} of the JSONL file is not a JSON object of variables.`);
      variables.push(v as Record<string, unknown>);
      weights.push(1 + listElements(v));
    }
    if (this.active('MUTATION') >= MAX_CONCURRENT_PER_TYPE)
      return err('LIMIT_REACHED', 'mutation', `A maximum of ${MAX_CONCURRENT_PER_TYPE} bulk mutation operations can run at a time per shop.`);
    const total = weights.reduce((a, b) => a + b, 0);
    const created = this.create('MUTATION', mutation, total, this.rates.mutationObjectsPerSecond, {
      clientIdentifier,
      mutation: { doc, variables, weights, done: 0 },
    });
    return { bulkOperation: created, userErrors: [] };
  }

  cancel(id: string): { bulkOperation: BulkOp | null; userErrors: { field: string[]; message: string }[] } {
    const op = this.ops.get(id);
    if (!op) return { bulkOperation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
    if (!ACTIVE.includes(op.status))
      return { bulkOperation: op, userErrors: [{ field: ['id'], message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
    op.status = 'CANCELING';
    return { bulkOperation: op, userErrors: [] };
  }

  private advancing: Promise<void> = Promise.resolve();

  /** Brings every running operation up to the modelled clock (one pass at a time, so no line runs twice). */
  advance(): Promise<void> {
    this.advancing = this.advancing.then(() => this.advanceOnce()).catch(() => {});
    return this.advancing;
  }

  private async advanceOnce(): Promise<void> {
    const now = this.now();
    for (const op of this.ops.values()) {
      if (!ACTIVE.includes(op.status)) continue;
      if (op.status === 'CANCELING') {
        this.finish(op, 'CANCELED', now);
        continue;
      }
      if (now < op.startsAtMs) continue;
      op.status = 'RUNNING';
      const span = op.endsAtMs - op.startsAtMs;
      const share = span <= 0 ? 1 : Math.min(1, (now - op.startsAtMs) / span);
      const failing = op.failAt !== undefined && share >= op.failAt.share;
      const reach = failing ? Math.floor(op.failAt!.share * op.totalObjects) : share >= 1 ? op.totalObjects : Math.floor(share * op.totalObjects);
      if (op.type === 'MUTATION') await this.executeLines(op, reach);
      else op.objectCount = Math.max(op.objectCount, reach);
      if (failing) this.finish(op, 'FAILED', op.startsAtMs + span * op.failAt!.share, op.failAt!.errorCode);
      else if (share >= 1) this.finish(op, 'COMPLETED', op.endsAtMs);
    }
  }

  private async executeLines(op: BulkOp, reach: number): Promise<void> {
    const m = op.mutation!;
    for (;;) {
      const i = m.done;
      const variables = m.variables[i];
      const weight = m.weights[i];
      if (variables === undefined || weight === undefined || op.objectCount + weight > reach) break;
      const res = await this.host.execute(m.doc, variables, false);
      const line: Record<string, unknown> = { data: res.data ?? null };
      if (res.errors?.length)
        line.errors = res.errors.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions?.code ? { code: e.extensions.code } : undefined }));
      line.__lineNumber = i;
      op.lines.push(JSON.stringify(line));
      op.objectCount += weight;
      m.done++;
    }
  }

  private finish(op: BulkOp, status: BulkStatus, atMs: number, errorCode: BulkErrorCode | null = null): void {
    op.status = status;
    op.errorCode = errorCode;
    op.completedAtMs = Math.max(op.createdAtMs, Math.min(atMs, this.now()));
    if (op.type === 'QUERY') {
      // A failed or canceled query keeps the lines it got to: that is its partial data.
      if (status !== 'COMPLETED') op.lines = op.lines.slice(0, op.objectCount);
      else op.objectCount = op.lines.length;
      op.rootObjectCount = op.lines.filter((l) => !l.includes('"__parentId"')).length;
    } else op.rootObjectCount = op.lines.length;
    this.host.onFinish(op);
  }

  /** The JSONL file behind `url` / `partialDataUrl`. */
  file(id: string): string | undefined {
    const op = [...this.ops.values()].find((o) => o.id.endsWith(`/${id}`));
    if (!op || !['COMPLETED', 'FAILED', 'CANCELED'].includes(op.status) || !op.lines.length) return undefined;
    return op.lines.join('\n') + '\n';
  }

  /** The GraphQL shape of an operation. */
  toGraphql(op: BulkOp): Record<string, unknown> {
    const file = `${this.host.baseUrl()}/bulk-results/${op.id.split('/').pop()}.jsonl`;
    const done = op.status === 'COMPLETED';
    const partial = (op.status === 'FAILED' || op.status === 'CANCELED') && op.lines.length > 0;
    return {
      __typename: 'BulkOperation',
      id: op.id,
      type: op.type,
      status: op.status,
      errorCode: op.errorCode,
      query: op.query,
      createdAt: this.iso(op.createdAtMs),
      completedAt: this.iso(op.completedAtMs),
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: done && op.lines.length ? String(Buffer.byteLength(op.lines.join('\n') + '\n')) : null,
      url: done && op.lines.length ? file : null,
      partialDataUrl: partial ? file : null,
    };
  }

  /** currentBulkOperation(type): the app's most recent operation of that type. */
  current(type: 'QUERY' | 'MUTATION'): BulkOp | undefined {
    let last: BulkOp | undefined;
    for (const op of this.ops.values()) if (op.type === type) last = op;
    return last;
  }

  /** Runs `advance` on a timer while operations are active, so the finish webhook fires without polling. */
  private schedule(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => {
      void this.advance().then(() => {
        if (![...this.ops.values()].some((o) => ACTIVE.includes(o.status))) {
          clearInterval(this.ticker);
          this.ticker = undefined;
        }
      });
    }, 25);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

/** Elements of the list-valued inputs in one line's variables (e.g. the quantities of inventorySetQuantities). */
function listElements(v: unknown): number {
  if (Array.isArray(v)) return v.length + v.reduce((a: number, x) => a + listElements(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((a: number, x) => a + listElements(x), 0);
  return 0;
}
