// The exceptions inbox API as a Hono sub-app; the server mounts it under /api/exceptions and passes its role check
// as `authorize`. Permissions (EXCEPTION_PERMISSIONS) and who should hold them:
// - exceptions.read   (list, get): every role.
// - exceptions.triage (acknowledge, assign, resolve with a note, bulk of those): admin, consultant, finance, operations.
// - exceptions.retry  (replay the failed runs, also as a bulk action): admin, consultant, operations (as runs.triage).
import { OpenAPIHono, createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { ExceptionNotFoundError, ExceptionStateError, type ExceptionService } from './store/index.ts';
import { RunStateError } from '../../runtime/runs.ts';
import {
  AssignBody,
  BulkBody,
  BulkResult,
  ErrorBody,
  ExceptionDetail,
  ExceptionRecord,
  IdParam,
  ListQuery,
  NoteBody,
  ResolveBody,
  RetryResult,
} from './schemas.ts';
import { PERMISSIONS } from '../auth/roles.ts';

export const EXCEPTION_PERMISSIONS = {
  'exceptions.read': PERMISSIONS['exceptions.read'],
  'exceptions.triage': PERMISSIONS['exceptions.triage'],
  'exceptions.retry': PERMISSIONS['exceptions.retry'],
} as const;
export type ExceptionPermission = keyof typeof EXCEPTION_PERMISSIONS;

export interface ExceptionRoutesOptions {
  /** The server's role check for a permission. Without it the routes are open (tests, embedded use). */
  authorize?: (perm: ExceptionPermission) => MiddlewareHandler;
  /** Who acts; default the `user` variable's email. Every action is recorded under this name. */
  actor?: (c: Context) => string | undefined;
  /**
   * The people exceptions may be assigned to here (active users who can triage). With it, an assignee who is not one
   * of them is refused, naming them: a typo would otherwise hand the work to nobody.
   */
  assignees?: (c: Context) => Promise<Array<{ email: string; name: string }>>;
}

const tags = ['exceptions'];
const err = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const errorBody = (code: string, message: string, problems?: Array<{ where: string; path: string; message: string }>) => ({
  error: { code, message, ...(problems ? { problems } : {}) },
});

export function exceptionRoutes(service: ExceptionService, opts: ExceptionRoutesOptions = {}) {
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
  const actor = (c: Context) => opts.actor?.(c) ?? (c.get('user') as { email?: string } | undefined)?.email ?? 'api';
  /** The assignee as the user's own address, or the 400 for one nobody here is (as given without the server's list). */
  const checkAssignee = async (c: Context, assignee: string | null | undefined) => {
    if (!assignee || !opts.assignees) return { assignee };
    const people = await opts.assignees(c);
    const person = people.find((p) => p.email.toLowerCase() === assignee.toLowerCase());
    if (person) return { assignee: person.email };
    const message = `no one here called "${assignee}" can take exceptions: assign to ${people.length ? people.map((p) => p.email).join(', ') : 'an owner, consultant or operator'}`;
    return { refused: c.json(errorBody('invalid_request', message, [{ where: 'body', path: '$.assignee', message }]), 400) };
  };
  const route = <R extends Omit<RouteConfig, 'middleware'>>(perm: ExceptionPermission, r: R) =>
    createRoute({
      ...r,
      tags,
      ...(opts.authorize ? { middleware: [opts.authorize(perm)] } : {}),
      'x-permission': perm,
      responses: { ...r.responses, 400: err('Invalid request') },
    } as R & { middleware?: MiddlewareHandler[] });

  app.onError((e, c) => {
    if (e instanceof ExceptionNotFoundError) return c.json(errorBody('not_found', e.message), 404);
    if (e instanceof ExceptionStateError || e instanceof RunStateError) return c.json(errorBody('conflict', e.message), 409);
    if (e instanceof TypeError) return c.json(errorBody('invalid_request', e.message), 400);
    throw e;
  });

  app.openapi(
    route('exceptions.read', {
      method: 'get',
      path: '/',
      summary: 'List exceptions (filter by owner, type, state, severity, assignee, payout)',
      request: { query: ListQuery },
      responses: { 200: json(z.object({ items: z.array(ExceptionRecord), total: z.number().int() })) },
    }),
    async (c) => c.json(await service.list(c.req.valid('query')), 200),
  );

  app.openapi(
    route('exceptions.triage', {
      method: 'get',
      path: '/assignees',
      summary: 'Who exceptions may be assigned to here: active users who can triage them',
      responses: { 200: json(z.object({ assignees: z.array(z.object({ email: z.string(), name: z.string() })) })) },
    }),
    async (c) => c.json({ assignees: opts.assignees ? await opts.assignees(c) : [] }, 200),
  );

  app.openapi(
    route('exceptions.read', {
      method: 'get',
      path: '/{id}',
      summary: 'One exception with its runs and action history',
      request: { params: IdParam },
      responses: { 200: json(ExceptionDetail), 404: err('Not found') },
    }),
    async (c) => c.json(await service.get(c.req.valid('param').id), 200),
  );

  app.openapi(
    route('exceptions.triage', {
      method: 'post',
      path: '/{id}/acknowledge',
      summary: 'Acknowledge (open -> acknowledged)',
      request: { params: IdParam, ...body(NoteBody) },
      responses: { 200: json(ExceptionRecord), 404: err('Not found'), 409: err('Already resolved') },
    }),
    async (c) => c.json(await service.acknowledge(c.req.valid('param').id, actor(c), c.req.valid('json').note), 200),
  );

  app.openapi(
    route('exceptions.triage', {
      method: 'post',
      path: '/{id}/assign',
      summary: 'Assign to a person and/or hand to another owning team',
      request: { params: IdParam, ...body(AssignBody) },
      responses: { 200: json(ExceptionRecord), 400: err('Invalid request (an assignee who is no one here)'), 404: err('Not found'), 409: err('Resolved') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const who = await checkAssignee(c, b.assignee);
      if (who.refused) return who.refused;
      return c.json(await service.assign(c.req.valid('param').id, { assignee: who.assignee, owner: b.owner }, actor(c), b.note), 200);
    },
  );

  app.openapi(
    route('exceptions.triage', {
      method: 'post',
      path: '/{id}/resolve',
      summary: 'Resolve with a note saying what was done',
      request: { params: IdParam, ...body(ResolveBody) },
      responses: { 200: json(ExceptionRecord), 404: err('Not found'), 409: err('Already resolved') },
    }),
    async (c) => c.json(await service.resolve(c.req.valid('param').id, actor(c), c.req.valid('json').note), 200),
  );

  app.openapi(
    route('exceptions.retry', {
      method: 'post',
      path: '/{id}/retry',
      summary: 'Replay its failed runs from the failed step; a success auto-resolves it',
      request: { params: IdParam },
      responses: { 202: json(RetryResult, 'Replays queued'), 404: err('Not found'), 409: err('Nothing to retry') },
    }),
    async (c) => c.json(await service.retry(c.req.valid('param').id, actor(c)), 202),
  );

  // Bulk retry needs the retry permission on top of triage; the role check runs before the body is read.
  const bulkAuth: MiddlewareHandler[] = opts.authorize
    ? [
        opts.authorize('exceptions.triage'),
        async (c, next) => {
          const b = (await c.req.raw
            .clone()
            .json()
            .catch(() => null)) as { action?: string } | null;
          if (b?.action === 'retry') return opts.authorize!('exceptions.retry')(c, next);
          await next();
        },
      ]
    : [];
  app.openapi(
    createRoute({
      method: 'post',
      path: '/bulk',
      summary: 'Apply one action to many exceptions; each succeeds or fails on its own',
      tags,
      'x-permission': 'exceptions.triage',
      middleware: bulkAuth,
      request: body(BulkBody),
      responses: { 200: json(BulkResult), 400: err('Invalid request') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const who = b.action === 'assign' ? await checkAssignee(c, b.assignee) : { assignee: b.assignee };
      if (who.refused) return who.refused;
      const results = await service.bulk(b.ids, b.action, actor(c), { note: b.note, assignee: who.assignee, owner: b.owner });
      return c.json({ results: results.map(({ id, ok, error }) => ({ id, ok, ...(error ? { error } : {}) })) }, 200);
    },
  );

  return app;
}
