// /api/workspaces: the caller's workspaces, creating one (deployment owner) and its members (the deployment owner
// or the workspace's owner). Mounted in every cell's app so they are in the OpenAPI document; a workspace the
// caller does not belong to answers 404 like everything else of it.
import { HttpError, actorOf, apiRoute, conflict, currentUser, json, jsonBody, notFound, router, z } from '../api/http.ts';
import { RoleEnum, UserView } from '../api/schemas.ts';
import type { Role } from '../auth/roles.ts';
import type { Directory, Workspace } from './directory.ts';

const WorkspaceView = z
  .object({ id: z.string(), name: z.string(), createdAt: z.number().nullable(), role: RoleEnum.openapi({ description: "The caller's role in it" }) })
  .openapi('Workspace');
const WorkspaceCreate = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/), name: z.string().min(1).max(200).optional() }).openapi('WorkspaceCreate');
const MemberView = z.object({ user: UserView, role: RoleEnum }).openapi('WorkspaceMember');
const MemberAdd = z
  .object({
    email: z.email(),
    role: RoleEnum,
    name: z.string().min(1).max(200).optional(),
    password: z.string().min(8).max(1000).optional().openapi({ description: 'Creates the user (a member of this workspace only) when no user has this email' }),
  })
  .openapi('WorkspaceMemberAdd');
const WsParam = z.object({
  workspace: z
    .string()
    .min(1)
    .openapi({ param: { name: 'workspace', in: 'path' } }),
});

export interface WorkspaceHost {
  directory(): Directory;
  /** Creates the workspace's cell (its data dir, store, runtime) and registers it. */
  create(w: { id: string; name?: string }): Promise<Workspace>;
  /** Audit of the workspace the change is about. */
  audit(workspaceId: string, actor: string, action: string, target: string, data?: Record<string, unknown>): void;
}

export function workspacesRouter(h: WorkspaceHost) {
  const app = router();
  /** The workspace, if the caller may manage its members; 404 when they are not a member at all. */
  const manageable = (userId: string, id: string): Role => {
    const role = h.directory().roleOf(userId, id);
    if (!h.directory().get(id) || !role) throw new HttpError(404, 'not_found', `workspace "${id}" not found`);
    if (role !== 'owner') throw new HttpError(403, 'forbidden', `role "${role}" may not manage the members of workspace "${id}"`);
    return role;
  };

  // Before any validation: a workspace the caller does not belong to answers 404 however the request is shaped.
  app.use('/workspaces/:workspace/*', async (c, next) => {
    const u = c.get('user');
    if (u && !h.directory().roleOf(u.id, c.req.param('workspace'))) throw new HttpError(404, 'not_found', `workspace "${c.req.param('workspace')}" not found`);
    await next();
  });

  app.openapi(
    apiRoute('me', {
      method: 'get',
      path: '/workspaces',
      tags: ['workspaces'],
      responses: { 200: json(z.object({ workspaces: z.array(WorkspaceView), owner: z.boolean() })) },
    }),
    (c) => {
      const u = currentUser(c);
      return c.json({ workspaces: h.directory().workspacesOf(u.id), owner: h.directory().isOwner(u.id) }, 200);
    },
  );

  app.openapi(
    apiRoute('me', {
      method: 'post',
      path: '/workspaces',
      tags: ['workspaces'],
      request: jsonBody(WorkspaceCreate),
      responses: { 201: json(WorkspaceView, 'Created'), 409: conflict },
    }),
    async (c) => {
      const u = currentUser(c);
      if (!h.directory().isOwner(u.id)) throw new HttpError(403, 'forbidden', 'only the deployment owner creates workspaces');
      const w = await h.create(c.req.valid('json'));
      h.audit(w.id, actorOf(c), 'workspace.create', `workspace:${w.id}`, { name: w.name });
      return c.json({ ...w, role: 'owner' as const }, 201);
    },
  );

  app.openapi(
    apiRoute('me', {
      method: 'get',
      path: '/workspaces/{workspace}/members',
      tags: ['workspaces'],
      request: { params: WsParam },
      responses: { 200: json(z.object({ members: z.array(MemberView) })), 404: notFound },
    }),
    (c) => {
      const { workspace } = c.req.valid('param');
      manageable(currentUser(c).id, workspace);
      return c.json({ members: h.directory().members(workspace) }, 200);
    },
  );

  app.openapi(
    apiRoute('me', {
      method: 'post',
      path: '/workspaces/{workspace}/members',
      tags: ['workspaces'],
      request: { params: WsParam, ...jsonBody(MemberAdd) },
      responses: { 200: json(MemberView), 201: json(MemberView, 'User created'), 404: notFound, 409: conflict },
    }),
    async (c) => {
      const { workspace } = c.req.valid('param');
      manageable(currentUser(c).id, workspace);
      const b = c.req.valid('json');
      const d = h.directory();
      const existing = d.users.byEmail(b.email);
      if (!existing && !b.password) throw new HttpError(404, 'not_found', `no user with email "${b.email}" (send a password to create one)`);
      const user = existing ?? (await d.createMemberUser(workspace, { email: b.email, name: b.name, password: b.password!, role: b.role }));
      if (existing) d.setMember(workspace, user.id, b.role);
      h.audit(workspace, actorOf(c), 'workspace.member', `user:${user.email}`, { role: b.role, created: !existing });
      return c.json({ user, role: b.role }, existing ? 200 : 201);
    },
  );
  // Served by the deployment's outer app (the workspace picks the cell), documented here with the rest.
  for (const [path, param] of [
    ['/webhooks/shopify/{workspace}/{connectionId}', 'connectionId'],
    ['/webhooks/flows/{workspace}/{flowId}', 'flowId'],
  ] as const) {
    app.openAPIRegistry.registerPath({
      method: 'post',
      path,
      tags: ['webhooks'],
      description: `As ${path.replace('{workspace}/', '')}, for the workspace named in the URL (that path without it is the default workspace's).`,
      request: {
        params: z.object({ workspace: z.string(), [param]: z.string() }),
        body: { content: { 'application/json': { schema: z.unknown() } }, required: true },
      },
      responses: { 200: { description: 'Stored and queued' }, 404: { description: 'Unknown workspace, connection or flow' } },
    });
  }
  return app;
}
