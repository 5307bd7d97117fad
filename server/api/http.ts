// Shared HTTP plumbing for the API routers: the Hono env, the contract's error shape, and a route helper that
// attaches the permission check and documents it in OpenAPI from the same definition.
import { OpenAPIHono, createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { User } from '../auth/users.ts';
import { can, type Permission } from '../auth/roles.ts';

export type AppEnv = {
  Variables: {
    user?: User;
    /** How the caller authenticated; cookie-authenticated writes get the CSRF check. */
    via?: 'cookie' | 'bearer';
  };
};

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly problems?: { where: string; path: string; message: string }[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const ProblemSchema = z.object({ where: z.string(), path: z.string(), message: z.string() }).openapi('Problem');

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), problems: z.array(ProblemSchema).optional() }) })
  .openapi('Error');

export const errorBody = (code: string, message: string, problems?: unknown[]) => ({ error: { code, message, ...(problems ? { problems } : {}) } });

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** A router whose zod validation failures answer in the contract's error shape, naming each bad field. */
export function router() {
  return new OpenAPIHono<AppEnv>({
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
}

export function requirePermission(perm: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (!user) throw new HttpError(401, 'unauthenticated', 'sign in or send an API token (Authorization: Bearer ...)');
    if (!can(user.role, perm)) throw new HttpError(403, 'forbidden', `role "${user.role}" may not ${perm.replace('.', ': ')}`);
    await next();
  };
}

/**
 * createRoute plus the permission (enforced by middleware, documented as `x-permission` and security), and the
 * error responses every authenticated route can give.
 */
export function apiRoute<R extends Omit<RouteConfig, 'middleware'>>(perm: Permission | null, r: R) {
  return createRoute({
    ...r,
    ...(perm ? { middleware: [requirePermission(perm)] as const, security: [{ bearer: [] }, { cookie: [] }], 'x-permission': perm } : {}),
    responses: {
      ...r.responses,
      400: errorResponse('Invalid request'),
      ...(perm ? { 401: errorResponse('Not signed in'), 403: errorResponse('Role not allowed') } : {}),
    },
  } as R & { middleware?: MiddlewareHandler[] });
}

export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
export const notFound = errorResponse('Not found');
export const conflict = errorResponse('Conflict');
export const unprocessable = errorResponse('Invalid flow or input');

export function currentUser(c: Context<AppEnv>): User {
  const u = c.get('user');
  if (!u) throw new HttpError(401, 'unauthenticated', 'not signed in');
  return u;
}

export const actorOf = (c: Context<AppEnv>) => c.get('user')?.email ?? 'system';

export { z };
