// /api/users, /api/tokens (admin) and /api/audit.
import type { Deps } from '../deps.ts';
import { actorOf, apiRoute, conflict, json, jsonBody, notFound, router, z } from '../api/http.ts';
import { AuditEntry, RoleEnum, TokenView, UserView } from '../api/schemas.ts';

// Listed in a workspace: the role is the one there. The deployment owner's list has everyone, with their workspaces.
const UserListed = UserView.extend({
  role: RoleEnum.nullable().openapi({ description: 'Their role in this workspace; null: not a member of it (deployment owner only)' }),
  workspaces: z
    .array(z.object({ id: z.string(), role: RoleEnum }))
    .optional()
    .openapi({ description: 'Deployment owner only: every workspace the user belongs to, with their role in each' }),
}).openapi('UserListed');

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const UserCreate = z
  .object({ email: z.email(), name: z.string().min(1).max(200).optional(), role: RoleEnum, password: z.string().min(8).max(1000) })
  .openapi('UserCreate');
const UserUpdate = z
  .object({
    name: z.string().min(1).max(200).optional(),
    role: RoleEnum.optional(),
    password: z.string().min(8).max(1000).optional(),
    disabled: z.boolean().optional(),
  })
  .openapi('UserUpdate');
const TokenCreate = z
  .object({
    name: z.string().min(1).max(200),
    userId: z.string().optional().openapi({ description: 'Default: the caller' }),
    email: z.email().optional(),
    expiresInDays: z.number().positive().max(3650).optional().openapi({ description: 'The token stops working after this many days (default: never)' }),
  })
  .openapi('TokenCreate');

export function usersRouter(d: Deps) {
  const app = router();

  app.openapi(
    apiRoute('users.manage', {
      method: 'get',
      path: '/users',
      tags: ['users'],
      description: "The workspace's members with their role in it; the deployment owner sees every user, with their workspaces.",
      responses: { 200: json(z.object({ users: z.array(UserListed) })) },
    }),
    async (c) => c.json({ users: await d.userScope.list(c.get('user')!.id) }, 200),
  );

  app.openapi(
    apiRoute('users.manage', {
      method: 'post',
      path: '/users',
      tags: ['users'],
      request: jsonBody(UserCreate),
      description: 'Creates an account that is a member of this workspace with the role.',
      responses: { 201: json(UserListed, 'Created'), 409: conflict },
    }),
    async (c) => {
      const u = await d.userScope.create(c.req.valid('json'));
      await d.audit.record(actorOf(c), 'user.create', `user:${u.email}`, { after: u });
      return c.json(u, 201);
    },
  );

  app.openapi(
    apiRoute('users.manage', {
      method: 'put',
      path: '/users/{id}',
      tags: ['users'],
      description: 'The role is the one in this workspace; name, password and disabled are the account, in every workspace.',
      request: { params: IdParam, ...jsonBody(UserUpdate) },
      responses: { 200: json(UserListed), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { role, ...patch } = c.req.valid('json');
      const caller = c.get('user')!.id;
      const before = await d.userScope.get(caller, id);
      if (Object.keys(patch).length) await d.users.update(id, patch);
      if (role !== undefined) await d.userScope.setRole(id, role);
      const after = await d.userScope.get(caller, id);
      // The workspace's audit log is read by its members: the user's other workspaces stay out of it.
      const entry = (u: typeof before) => ({ ...u, workspaces: undefined });
      await d.audit.record(actorOf(c), 'user.update', `user:${after.email}`, {
        before: entry(before),
        after: entry(after),
        passwordChanged: patch.password !== undefined,
      });
      return c.json(after, 200);
    },
  );

  app.openapi(
    apiRoute('users.manage', { method: 'get', path: '/tokens', tags: ['users'], responses: { 200: json(z.object({ tokens: z.array(TokenView) })) } }),
    async (c) => c.json({ tokens: await d.users.listTokens() }, 200),
  );

  app.openapi(
    apiRoute('users.manage', {
      method: 'post',
      path: '/tokens',
      tags: ['users'],
      description: 'Creates an API token for a user (default: the caller). The token is in this response only.',
      request: jsonBody(TokenCreate),
      responses: { 201: json(TokenView.extend({ token: z.string() }), 'Created'), 404: notFound },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const userId = body.userId ?? (body.email ? (await d.users.byEmail(body.email))?.id : undefined) ?? c.get('user')!.id;
      const { token, info } = await d.users.createToken(userId, body.name, {
        expiresAt: body.expiresInDays ? d.now() + body.expiresInDays * 86_400_000 : null,
      });
      await d.audit.record(actorOf(c), 'token.create', `token:${info.id}`, { userId, name: info.name, expiresAt: info.expiresAt });
      return c.json({ ...info, token }, 201);
    },
  );

  app.openapi(
    apiRoute('users.manage', {
      method: 'delete',
      path: '/tokens/{id}',
      tags: ['users'],
      request: { params: IdParam },
      responses: { 200: json(z.object({ ok: z.boolean() })), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await d.users.revokeToken(id);
      await d.audit.record(actorOf(c), 'token.revoke', `token:${id}`, {});
      return c.json({ ok: true }, 200);
    },
  );

  app.openapi(
    apiRoute('audit.read', {
      method: 'get',
      path: '/audit',
      tags: ['audit'],
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: { 200: json(z.object({ entries: z.array(AuditEntry) })) },
    }),
    async (c) => c.json({ entries: await d.audit.list(c.req.valid('query').limit) }, 200),
  );

  return app;
}
