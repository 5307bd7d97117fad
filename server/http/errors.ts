// What a failed request answers: every error the routers throw mapped to its status and error body; anything else
// is logged (scrubbed of secrets) and answered 500 without details.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { FlowInvalidError, NotFoundError } from '../../runtime/flow-store.ts';
import { RunStateError } from '../../runtime/runs.ts';
import { isStoreDamageError } from '../../runtime/store/db.ts';
import { errorBody, HttpError } from '../api/http.ts';
import { UserError } from '../auth/users.ts';
import { ConnectionError } from '../vault/connections.ts';
import type { StoreWatch } from '../store-watch.ts';

export interface ErrorHandlerOptions {
  log: Logger;
  scrub<T>(v: T): T;
  storeWatch: StoreWatch;
  storeGone(c: Context, problem: string): Response;
}

export function errorHandler(o: ErrorHandlerOptions) {
  return (e: Error, c: Context): Response => {
    if (isStoreDamageError(e)) {
      const h = o.storeWatch.health({ deep: true });
      if (!h.ok) return o.storeGone(c, h.problem);
    }
    if (e instanceof HttpError) return c.json(errorBody(e.code, e.message, e.problems), e.status);
    if (e instanceof FlowInvalidError) return c.json(errorBody('invalid_flow', e.message, e.problems), 422);
    if (e instanceof NotFoundError) return c.json(errorBody('not_found', e.message), 404);
    if (e instanceof RunStateError) return c.json(errorBody('conflict', e.message), 409);
    if (e instanceof UserError || e instanceof ConnectionError)
      return c.json(errorBody(e.status === 409 ? 'conflict' : e.status === 404 ? 'not_found' : 'invalid_request', e.message), e.status);
    if (e instanceof ZodError) {
      const problems = e.issues.map((i) => ({
        where: 'body',
        path: '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
        message: i.message,
      }));
      return c.json(errorBody('invalid_request', problems.map((p) => `${p.path} ${p.message}`).join('; '), problems), 400);
    }
    if (e instanceof HTTPException) {
      return c.json(errorBody(e.status === 413 ? 'too_large' : 'invalid_request', e.message || `HTTP ${e.status}`), e.status);
    }
    o.log.error({ err: o.scrub(errorLine(e)), method: c.req.method, path: c.req.path }, 'request failed');
    return c.json(errorBody('internal', 'internal error; the server log has the details'), 500);
  };
}

/** An error as a log field (message and stack; a thrown non-Error as its text). */
export const errorLine = (e: unknown) => (e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) });
