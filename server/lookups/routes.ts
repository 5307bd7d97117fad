// The lookup-table API as a Hono sub-app: the server mounts it (e.g. under /api/lookups) and enforces roles with
// its own middleware through `authorize`. Permissions (LOOKUP_PERMISSIONS) and who should hold them:
// - lookups.read   (list, get rows, versions, CSV export): every role.
// - lookups.write  (replace/add/delete rows, CSV import, restore a version, title/description): admin, consultant, client.
// - lookups.define (create or delete a table, i.e. its key and value columns): admin, consultant.
import { OpenAPIHono, createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import {
  LookupConflictError,
  LookupNotFoundError,
  LookupValidationError,
  TABLE_PRESETS,
  type LookupService,
  type RowProblem,
  type TableSummary as Summary,
} from './store/index.ts';
import {
  CsvQuery,
  ErrorBody,
  Params,
  type RetryBatch,
  RowsDelete,
  RowsPut,
  TableCreate,
  TablePatch,
  TableSummary,
  VersionInfo,
  VersionQuery,
  VersionWrite,
} from './schemas.ts';
import { rowsFromCsv } from './store/csv.ts';
import { ReferencesUnavailableError } from './erp-references.ts';

import { PERMISSIONS } from '../auth/roles.ts';

export const LOOKUP_PERMISSIONS = {
  'lookups.read': PERMISSIONS['lookups.read'],
  'lookups.write': PERMISSIONS['lookups.write'],
  'lookups.define': PERMISSIONS['lookups.define'],
} as const;
export type LookupPermission = keyof typeof LOOKUP_PERMISSIONS;

/** The ERP records a column may name, from each ERP the table's values go to (null items: that ERP cannot list them). */
interface ReferencesAnswer {
  column: string;
  list: string;
  sources: Array<{ connection: string; name: string; items: Array<{ code: string; name: string; detail?: string }> | null }>;
}

export interface LookupRoutesOptions {
  /** Middleware that admits the caller for a permission (the server's role check). Without it, routes are open. */
  authorize?: (perm: LookupPermission) => MiddlewareHandler;
  /** Who is editing, recorded on each version. Default: the `user` variable's email, if any. */
  actor?: (c: Context) => string | undefined;
  /**
   * Called after every change (for the audit log). What it returns for a change of rows is added to the response
   * (the server retries the runs waiting on the table and returns them as `retried`).
   */
  onChange?: (e: { action: string; scope: string; name: string; version?: number; by?: string }) => unknown;
  /**
   * The ERP's reference lists for columns that name ERP records (a tax code, a warehouse): `check` refuses rows
   * naming records the ERP lacks; `of` feeds the designer's picker. Without it, values are not checked.
   */
  references?: {
    of(table: Summary): Promise<ReferencesAnswer | null>;
    /** The items an item column (erpSku) may name, searched: the product master is too large to list. */
    items(table: Summary, q: string): Promise<ReferencesAnswer | null>;
    check(table: Summary, rows: Array<Record<string, unknown>>, firstRow?: number): Promise<Array<{ where: string; path: string; message: string }>>;
  };
  /** Largest CSV body accepted, default 5 MB. */
  maxCsvBytes?: number;
}

const tags = ['lookups'];
const err = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 415 | 422 | 503,
    readonly code: string,
    message: string,
    readonly problems?: { where: string; path: string; message: string }[],
  ) {
    super(message);
  }
}

const errorBody = (code: string, message: string, problems?: unknown[]) => ({ error: { code, message, ...(problems ? { problems } : {}) } });

export function lookupRoutes(service: LookupService, opts: LookupRoutesOptions = {}) {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const problems = result.error.issues.map((i) => ({
          where: result.target,
          path: '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
          message: i.message,
        }));
        return c.json(errorBody('invalid_request', `invalid ${result.target}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems), 400);
      }
    },
  });
  const actor = opts.actor ?? ((c: Context) => (c.get('user') as { email?: string } | undefined)?.email);
  // The host's answer may be a promise (retrying the exceptions waiting on the table writes to the store).
  const changed = async (c: Context, action: string, scope: string, name: string, version?: number): Promise<{ retried?: z.infer<typeof RetryBatch> }> => {
    const r = (await opts.onChange?.({ action, scope, name, version, by: actor(c) })) as { retried?: z.infer<typeof RetryBatch> } | undefined;
    return r && typeof r === 'object' && r.retried ? { retried: r.retried } : {};
  };

  const route = <R extends Omit<RouteConfig, 'middleware'>>(perm: LookupPermission, r: R) =>
    createRoute({
      ...r,
      tags,
      ...(opts.authorize ? { middleware: [opts.authorize(perm)] } : {}),
      'x-permission': perm,
      responses: { ...r.responses, 400: err('Invalid request') },
    } as R & { middleware?: MiddlewareHandler[] });

  app.onError((e, c) => {
    if (e instanceof ApiError) return c.json(errorBody(e.code, e.message, e.problems), e.status);
    if (e instanceof LookupNotFoundError) return c.json(errorBody('not_found', e.message), 404);
    if (e instanceof LookupConflictError) return c.json(errorBody('conflict', e.message), 409);
    if (e instanceof ReferencesUnavailableError) return c.json(errorBody('erp_unavailable', e.message), 503);
    if (e instanceof LookupValidationError) return c.json(errorBody('invalid_lookup_data', e.message, e.problems.map(problem)), 422);
    throw e;
  });

  app.openapi(
    route('lookups.read', {
      method: 'get',
      path: '/',
      summary: 'List lookup tables',
      request: { query: z.object({ scope: z.string().optional() }) },
      responses: { 200: json(z.object({ tables: z.array(TableSummary) })) },
    }),
    async (c) => c.json({ tables: await service.list({ scope: c.req.valid('query').scope }) }, 200),
  );

  app.openapi(
    route('lookups.define', {
      method: 'post',
      path: '/',
      summary: 'Create a table (columns given, or a preset)',
      request: body(TableCreate),
      responses: { 201: json(TableSummary, 'Created'), 409: err('Exists'), 422: err('Invalid rows or columns') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const preset = b.preset ? (TABLE_PRESETS as Record<string, (typeof TABLE_PRESETS)[keyof typeof TABLE_PRESETS]>)[b.preset] : undefined;
      if (b.preset && !preset) throw new ApiError(400, 'invalid_request', `unknown preset "${b.preset}" (presets: ${Object.keys(TABLE_PRESETS).join(', ')})`);
      const keyColumns = b.keyColumns ?? preset?.keyColumns;
      const valueColumns = b.valueColumns ?? preset?.valueColumns;
      if (!keyColumns || !valueColumns) throw new ApiError(400, 'invalid_request', 'give keyColumns and valueColumns, or a preset');
      const t = await service.create(
        {
          name: b.name,
          scope: b.scope,
          title: b.title ?? preset?.title,
          description: b.description ?? preset?.description,
          kind: b.kind ?? preset?.kind,
          keyColumns,
          valueColumns,
        },
        b.rows ?? [],
        { by: actor(c), message: b.message },
      );
      await changed(c, 'lookup.create', t.scope, t.name, t.version);
      return c.json(t, 201);
    },
  );

  app.openapi(
    route('lookups.read', {
      method: 'get',
      path: '/{scope}/{name}',
      summary: 'A table with its rows (current version, or ?version=N)',
      request: { params: Params, query: VersionQuery },
      responses: { 200: json(z.object({ table: TableSummary, version: z.number(), rows: z.array(z.record(z.string(), z.string())) })), 404: err('Not found') },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const { version } = c.req.valid('query');
      const r = await service.rows(p, version);
      return c.json({ table: await service.get(p), version: r.version, rows: r.rows }, 200);
    },
  );

  app.openapi(
    route('lookups.write', {
      method: 'patch',
      path: '/{scope}/{name}',
      summary: 'Change title or description',
      request: { params: Params, ...body(TablePatch) },
      responses: { 200: json(TableSummary), 404: err('Not found') },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const t = await service.describe(p, c.req.valid('json'));
      await changed(c, 'lookup.describe', p.scope, p.name);
      return c.json(t, 200);
    },
  );

  app.openapi(
    route('lookups.define', {
      method: 'delete',
      path: '/{scope}/{name}',
      summary: 'Delete a table and its versions',
      request: { params: Params },
      responses: { 200: json(z.object({ deleted: z.boolean() })), 404: err('Not found') },
    }),
    async (c) => {
      const p = c.req.valid('param');
      await service.delete(p);
      await changed(c, 'lookup.delete', p.scope, p.name);
      return c.json({ deleted: true }, 200);
    },
  );

  /** Refuses rows whose ERP reference column names a record the ERP does not have. */
  const checkReferences = async (p: { scope: string; name: string }, rows: Array<Record<string, unknown>>, firstRow = 1) => {
    if (!opts.references) return;
    const problems = await opts.references.check(await service.get(p), rows, firstRow);
    if (problems.length)
      throw new ApiError(
        422,
        'invalid_lookup_data',
        problems.length > 1 ? `${problems[0]!.message} (and ${problems.length - 1} more)` : problems[0]!.message,
        problems,
      );
  };

  app.openapi(
    route('lookups.read', {
      method: 'get',
      path: '/{scope}/{name}/erp-references',
      summary:
        "The ERP records a column of the table may name (tax codes, warehouses, payment methods), from the ERP's own lists, optionally searched; for an item column (a SKU override's erpSku), the ERP's active items matching `q` (50 at most)",
      request: { params: Params, query: z.object({ q: z.string().max(200).optional() }) },
      responses: {
        200: json(
          z.object({
            column: z.string().nullable(),
            list: z.string().nullable(),
            sources: z.array(
              z.object({
                connection: z.string(),
                name: z.string(),
                items: z.array(z.object({ code: z.string(), name: z.string(), detail: z.string().optional() })).nullable(),
              }),
            ),
          }),
        ),
        404: err('Not found'),
        503: err('The ERP cannot be reached'),
      },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const table = await service.get(p);
      const q = (c.req.valid('query').q ?? '').trim().toLowerCase();
      // An item column is searched in the ERP itself; a reference list is read whole and searched here.
      const items = opts.references ? await opts.references.items(table, q) : null;
      if (items) return c.json(items, 200);
      const refs = opts.references ? await opts.references.of(table) : null;
      if (!refs) return c.json({ column: null, list: null, sources: [] }, 200);
      const match = (x: { code: string; name: string }) => !q || x.code.toLowerCase().includes(q) || x.name.toLowerCase().includes(q);
      return c.json(
        { column: refs.column, list: refs.list, sources: refs.sources.map((s) => ({ ...s, items: s.items ? s.items.filter(match).slice(0, 100) : null })) },
        200,
      );
    },
  );

  const versionResponses = {
    200: json(VersionInfo, 'The new version'),
    404: err('Not found'),
    409: err('The table changed since expectedVersion'),
    422: err('Invalid rows'),
    503: err('The ERP cannot be reached to check reference columns'),
  };

  app.openapi(
    route('lookups.write', {
      method: 'put',
      path: '/{scope}/{name}/rows',
      summary: 'Replace all rows (a new version)',
      request: { params: Params, ...body(RowsPut) },
      responses: versionResponses,
    }),
    async (c) => {
      const p = c.req.valid('param');
      const b = c.req.valid('json');
      await checkReferences(p, b.rows);
      const v = await service.putRows(p, b.rows, { by: actor(c), message: b.message, expectedVersion: b.expectedVersion });
      return c.json({ ...v, ...(await changed(c, 'lookup.rows.put', p.scope, p.name, v.version)) }, 200);
    },
  );

  app.openapi(
    route('lookups.write', {
      method: 'patch',
      path: '/{scope}/{name}/rows',
      summary: 'Add rows or change those with the same key (a new version)',
      request: { params: Params, ...body(RowsPut) },
      responses: versionResponses,
    }),
    async (c) => {
      const p = c.req.valid('param');
      const b = c.req.valid('json');
      await checkReferences(p, b.rows);
      const v = await service.upsertRows(p, b.rows, { by: actor(c), message: b.message, expectedVersion: b.expectedVersion });
      return c.json({ ...v, ...(await changed(c, 'lookup.rows.upsert', p.scope, p.name, v.version)) }, 200);
    },
  );

  app.openapi(
    route('lookups.write', {
      method: 'post',
      path: '/{scope}/{name}/rows/delete',
      summary: 'Delete rows by key (a new version)',
      request: { params: Params, ...body(RowsDelete) },
      responses: versionResponses,
    }),
    async (c) => {
      const p = c.req.valid('param');
      const b = c.req.valid('json');
      const v = await service.deleteRows(p, b.keys, { by: actor(c), message: b.message, expectedVersion: b.expectedVersion });
      return c.json({ ...v, ...(await changed(c, 'lookup.rows.delete', p.scope, p.name, v.version)) }, 200);
    },
  );

  app.openapi(
    route('lookups.read', {
      method: 'get',
      path: '/{scope}/{name}/versions',
      summary: 'Versions, newest first',
      request: { params: Params },
      responses: { 200: json(z.object({ versions: z.array(VersionInfo) })), 404: err('Not found') },
    }),
    async (c) => c.json({ versions: await service.versions(c.req.valid('param')) }, 200),
  );

  app.openapi(
    route('lookups.write', {
      method: 'post',
      path: '/{scope}/{name}/versions/{version}/restore',
      summary: 'Make an old version current again (as a new version)',
      request: {
        params: Params.extend({
          version: z.coerce
            .number()
            .int()
            .min(1)
            .openapi({ param: { name: 'version', in: 'path' } }),
        }),
        ...body(VersionWrite),
      },
      responses: versionResponses,
    }),
    async (c) => {
      const { version, ...p } = c.req.valid('param');
      const b = c.req.valid('json');
      const v = await service.restore(p, version, { by: actor(c), message: b.message, expectedVersion: b.expectedVersion });
      return c.json({ ...v, ...(await changed(c, 'lookup.restore', p.scope, p.name, v.version)) }, 200);
    },
  );

  app.openapi(
    route('lookups.read', {
      method: 'get',
      path: '/{scope}/{name}/csv',
      summary: 'Export rows as CSV',
      request: { params: Params, query: VersionQuery },
      responses: { 200: { description: 'CSV with a header line', content: { 'text/csv': { schema: z.string() } } }, 404: err('Not found') },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const csv = await service.exportCsv(p, c.req.valid('query').version);
      const file = `${p.scope === 'shared' ? '' : `${p.scope}-`}${p.name}.csv`.replace(/[^\w.-]/g, '_');
      return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${file}"` });
    },
  );

  app.openapi(
    route('lookups.write', {
      method: 'put',
      path: '/{scope}/{name}/csv',
      summary: 'Import CSV (replace all rows, or merge by key) as a new version',
      request: { params: Params, query: CsvQuery, body: { content: { 'text/csv': { schema: z.string() } }, required: true } },
      responses: { ...versionResponses, 413: err('Too large'), 415: err('Not CSV'), 503: err('The ERP cannot be reached to check reference columns') },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const q = c.req.valid('query');
      const type = c.req.header('content-type') ?? '';
      if (!/^(text\/csv|text\/plain|application\/csv)\b/i.test(type))
        throw new ApiError(415, 'unsupported_media_type', 'send the CSV with content-type text/csv');
      const max = opts.maxCsvBytes ?? 5 * 1024 * 1024;
      if (Number(c.req.header('content-length') ?? 0) > max) throw new ApiError(413, 'too_large', `the CSV is over ${max} bytes`);
      const text = await c.req.text();
      if (Buffer.byteLength(text) > max) throw new ApiError(413, 'too_large', `the CSV is over ${max} bytes`);
      // Unreadable CSV is left for the import to report, with its own line numbers.
      let parsed: Array<Record<string, string>> | null = null;
      try {
        parsed = rowsFromCsv(await service.get(p), text);
      } catch {
        parsed = null;
      }
      if (parsed) await checkReferences(p, parsed, 2);
      const v = await service.importCsv(p, text, { mode: q.mode, by: actor(c), message: q.message, expectedVersion: q.expectedVersion });
      return c.json({ ...v, ...(await changed(c, 'lookup.csv.import', p.scope, p.name, v.version)) }, 200);
    },
  );

  return app;
}

function problem(p: RowProblem) {
  return {
    where: p.row === null ? 'table' : `row ${p.row}`,
    path: p.row === null ? (p.column ? `$.${p.column}` : '$') : `$.rows[${p.row - 1}]${p.column ? `.${p.column}` : ''}`,
    message: p.message,
  };
}
