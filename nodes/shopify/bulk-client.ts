// Running Shopify bulk operations from a ShopifyClient: start (a 10-point mutation), poll `bulkOperation(id)` (1 point
// a poll) until it finishes, download the JSONL. Bulk mutations first stage their variables file
// (stagedUploadsCreate, then a multipart POST of the JSONL to the returned target). The bulk work itself costs no points.
import { NodeError } from '../../runtime/node-api.ts';
import type { ShopifyClient, ShopifyResponse } from './client.ts';
import type { TypedDocument } from './typed-document.ts';
import { BULK_OPERATION, BULK_RUN_MUTATION, BULK_RUN_QUERY, STAGED_UPLOADS_CREATE } from './bulk-documents.ts';

export interface BulkOutcome {
  id: string;
  type: 'QUERY' | 'MUTATION';
  status: 'COMPLETED' | 'FAILED' | 'CANCELED' | 'EXPIRED';
  errorCode: string | null;
  objectCount: number;
  /** Shopify's timestamps: on the sandbox store they follow its modelled clock. */
  createdAt: string;
  completedAt: string | null;
  url: string | null;
  partialDataUrl: string | null;
  /** The lines of `url` (or of `partialDataUrl` when the operation failed), parsed. */
  lines: Record<string, unknown>[];
  polls: number;
  /** Points charged for starting, staging and polling. */
  cost: number;
  /** Real ms spent waiting for the operation to finish. */
  waitedMs: number;
  /** Real ms of the whole run (staging, start, polls, download). */
  realMs: number;
}

export interface BulkRunOptions {
  signal?: AbortSignal;
  /** Between status polls (default 2,000 ms; the client's `sleep` decides what a ms is). */
  pollMs?: number;
  /** Retries while Shopify answers LIMIT_REACHED / OPERATION_IN_PROGRESS (five operations of a type at a time). */
  busyRetries?: number;
}

type UserError = { code?: string | null; field?: string[] | null; message: string };

/** The payload bulkOperationRunQuery and bulkOperationRunMutation share (null only beside a GraphQL error). */
type StartPayload = { bulkOperation: { id: string } | null; userErrors: UserError[] } | null;

/** A line of a bulk mutation's result JSONL: the mutation's data (or its errors) for the variables line `__lineNumber`. */
export interface BulkMutationLine<TResult> {
  __lineNumber?: number;
  data?: TResult;
  errors?: { message: string; extensions?: { code?: string } }[];
}

function costOf(res: { cost: { actual: number | null; requested: number } }): number {
  return res.cost.actual ?? res.cost.requested;
}

async function start(
  client: ShopifyClient,
  send: () => Promise<{ res: ShopifyResponse<unknown>; payload: StartPayload }>,
  field: string,
  opts: BulkRunOptions,
): Promise<{ id: string; cost: number }> {
  let cost = 0;
  for (let attempt = 0; ; attempt++) {
    const { res, payload } = await send();
    cost += costOf(res);
    if (!payload) throw new NodeError(`shopify ${field} returned no payload`, { code: 'BULK_REJECTED', errorClass: 'transient' });
    if (payload.bulkOperation && !payload.userErrors.length) return { id: payload.bulkOperation.id, cost };
    const busy = payload.userErrors.some((e) => e.code === 'LIMIT_REACHED' || e.code === 'OPERATION_IN_PROGRESS');
    if (busy && attempt < (opts.busyRetries ?? 30)) {
      await client.sleep(opts.pollMs ?? 2000, opts.signal);
      continue;
    }
    throw new NodeError(`shopify ${field}: ${payload.userErrors.map((e) => `${e.code ?? 'ERROR'} ${e.message}`).join('; ')}`, {
      code: payload.userErrors[0]?.code ?? 'BULK_REJECTED',
      errorClass: busy ? 'transient' : 'permanent',
      details: { userErrors: payload.userErrors },
    });
  }
}

async function waitFor(
  client: ShopifyClient,
  id: string,
  opts: BulkRunOptions,
): Promise<Omit<BulkOutcome, 'lines' | 'cost' | 'waitedMs' | 'realMs'> & { cost: number }> {
  let cost = 0;
  for (let polls = 1; ; polls++) {
    const res = await client.request(BULK_OPERATION, { id }, { signal: opts.signal });
    cost += costOf(res);
    const op = res.data.bulkOperation;
    if (!op) throw new NodeError(`shopify bulk operation ${id} is gone`, { code: 'BULK_NOT_FOUND' });
    if (op.status === 'COMPLETED' || op.status === 'FAILED' || op.status === 'CANCELED' || op.status === 'EXPIRED') {
      return {
        id,
        type: op.type,
        status: op.status,
        errorCode: op.errorCode,
        // UnsignedInt64: a string from Shopify.
        objectCount: Number(op.objectCount),
        createdAt: op.createdAt,
        completedAt: op.completedAt,
        url: op.url,
        partialDataUrl: op.partialDataUrl,
        polls,
        cost,
      };
    }
    await client.sleep(opts.pollMs ?? 2000, opts.signal);
  }
}

/** Downloads a JSONL result file and parses it line by line. */
export async function downloadJsonl(url: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const res = await fetch(url, { signal });
  if (!res.ok)
    throw new NodeError(`shopify bulk result ${url}: HTTP ${res.status}`, { code: 'BULK_DOWNLOAD', errorClass: res.status >= 500 ? 'transient' : 'permanent' });
  const text = await res.text();
  const out: Record<string, unknown>[] = [];
  let from = 0;
  for (let line = 1; from < text.length; line++) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const row = text.slice(from, to).trim();
    from = to + 1;
    if (!row) continue;
    try {
      out.push(JSON.parse(row) as Record<string, unknown>);
    } catch {
      throw new NodeError(`shopify bulk result line ${line} is not JSON`, { code: 'BULK_BAD_JSONL', errorClass: 'transient' });
    }
  }
  return out;
}

async function finish(client: ShopifyClient, id: string, startCost: number, opts: BulkRunOptions, began: number): Promise<BulkOutcome> {
  const t0 = performance.now();
  const op = await waitFor(client, id, opts);
  const waitedMs = performance.now() - t0;
  const file = op.status === 'COMPLETED' ? op.url : op.partialDataUrl;
  const lines = file ? await downloadJsonl(file, opts.signal) : [];
  return { ...op, cost: op.cost + startCost, lines, waitedMs, realMs: performance.now() - began };
}

/** Runs a bulk query to its end. A FAILED operation is returned (with its partial lines), not thrown: the caller decides. */
export async function runBulkQuery(client: ShopifyClient, query: string, opts: BulkRunOptions & { groupObjects?: boolean } = {}): Promise<BulkOutcome> {
  const began = performance.now();
  const variables = { query, groupObjects: opts.groupObjects ?? false };
  const send = async () => {
    const res = await client.request(BULK_RUN_QUERY, variables, { signal: opts.signal });
    return { res, payload: res.data.bulkOperationRunQuery };
  };
  const { id, cost } = await start(client, send, 'bulkOperationRunQuery', opts);
  return finish(client, id, cost, opts, began);
}

/**
 * Stages `variables` (one JSONL line each) and runs `mutation` once per line. FAILED is returned, not thrown. The
 * outcome's lines are BulkMutationLine<TResult>.
 */
export async function runBulkMutation<TResult, TVariables>(
  client: ShopifyClient,
  mutation: TypedDocument<TResult, TVariables>,
  variables: NoInfer<TVariables>[],
  opts: BulkRunOptions & { clientIdentifier?: string; filename?: string } = {},
): Promise<BulkOutcome> {
  const began = performance.now();
  const jsonl = variables.map((v) => JSON.stringify(v)).join('\n') + '\n';
  const staged = await client.request(
    STAGED_UPLOADS_CREATE,
    { input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: opts.filename ?? 'bulk_op_vars.jsonl', mimeType: 'text/jsonl', httpMethod: 'POST' }] },
    { signal: opts.signal },
  );
  let cost = costOf(staged);
  const payload = staged.data.stagedUploadsCreate;
  const target = payload?.stagedTargets?.[0];
  if (!target?.url || !payload || payload.userErrors.length) {
    throw new NodeError(`shopify stagedUploadsCreate: ${payload?.userErrors.map((e) => e.message).join('; ') || 'no target URL'}`, {
      code: 'STAGED_UPLOAD',
      errorClass: 'permanent',
    });
  }
  const form = new FormData();
  for (const p of target.parameters) form.append(p.name, p.value);
  form.append('file', new Blob([jsonl], { type: 'text/jsonl' }), opts.filename ?? 'bulk_op_vars.jsonl');
  const up = await fetch(target.url, { method: 'POST', body: form, signal: opts.signal });
  const upBody = await up.text();
  if (!up.ok)
    throw new NodeError(`shopify staged upload: HTTP ${up.status} ${upBody.slice(0, 200)}`, {
      code: 'STAGED_UPLOAD',
      errorClass: up.status >= 500 ? 'transient' : 'permanent',
    });
  const key = target.parameters.find((p) => p.name === 'key')?.value;
  if (!key) throw new NodeError('shopify staged upload: the target has no key parameter', { code: 'STAGED_UPLOAD', errorClass: 'permanent' });
  const runVariables = { mutation, stagedUploadPath: key, clientIdentifier: opts.clientIdentifier ?? null };
  const send = async () => {
    const res = await client.request(BULK_RUN_MUTATION, runVariables, { signal: opts.signal });
    return { res, payload: res.data.bulkOperationRunMutation };
  };
  const started = await start(client, send, 'bulkOperationRunMutation', opts);
  cost += started.cost;
  return finish(client, started.id, cost, opts, began);
}
