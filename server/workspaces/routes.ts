// /api/workspaces: the caller's workspaces, creating one (deployment owner) and its members (the deployment owner
// or the workspace's owner). Mounted in every cell's app so they are in the OpenAPI document; a workspace the
// caller does not belong to answers 404 like everything else of it.
import { HttpError, actorOf, apiRoute, conflict, currentUser, json, jsonBody, notFound, router, z } from '../api/http.ts';
import { RoleEnum } from '../api/schemas.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Role } from '../auth/roles.ts';
import type { User } from '../auth/users.ts';
import type { Directory, Workspace } from './directory.ts';

const WorkspaceView = z
  .object({ id: z.string(), name: z.string(), createdAt: z.number().nullable(), role: RoleEnum.openapi({ description: "The caller's role in it" }) })
  .openapi('Workspace');
const WorkspaceCreate = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/), name: z.string().min(1).max(200).optional() }).openapi('WorkspaceCreate');
const MemberUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  createdAt: z.number().int().optional().openapi({ description: 'When the account was made (deployment owner only)' }),
});
const MemberView = z
  .object({ user: MemberUser, role: RoleEnum, since: z.number().int().openapi({ description: 'When they joined this workspace' }) })
  .openapi('WorkspaceMember');
const MemberAdd = z
  .object({
    email: z.email(),
    role: RoleEnum,
    name: z.string().min(1).max(200).optional(),
    password: z.string().min(8).max(1000).optional().openapi({
      description:
        'The first password of the account if this email has none yet (an existing account keeps its own). A workspace owner sends one for anyone who is not a member yet; the deployment owner only to create an account',
    }),
  })
  .openapi('WorkspaceMemberAdd');
const MemberAdded = z.object({ email: z.string(), role: RoleEnum, workspace: z.string() }).openapi('WorkspaceMemberAdded', {
  description:
    'The email is a member of the workspace with the role: its account if there was one (with its own password), else a new account with the first password sent. Which of the two is not said.',
});
const WsParam = z.object({
  workspace: z
    .string()
    .min(1)
    .openapi({ param: { name: 'workspace', in: 'path' } }),
});

/** A member's account as the caller may see it: its age only to the deployment owner. */
const memberUser = (u: User, full: boolean) => ({ id: u.id, email: u.email, name: u.name, disabled: u.disabled, ...(full ? { createdAt: u.createdAt } : {}) });

export interface WorkspaceHost {
  directory(): Directory;
  /** Creates the workspace's cell (its data dir, store, runtime) and registers it. */
  create(w: { id: string; name?: string }): Promise<Workspace>;
  /** Audit of the workspace the change is about. */
  audit(workspaceId: string, actor: string, action: string, target: string, data?: Record<string, unknown>): Promise<void>;
}

export function workspacesRouter(h: WorkspaceHost) {
  const app = router();
  /** The workspace, if the caller may manage its members; 404 when they are not a member at all. */
  const manageable = async (userId: string, id: string): Promise<Role> => {
    const role = await h.directory().roleOf(userId, id);
    if (!(await h.directory().get(id)) || !role) throw new HttpError(404, 'not_found', `workspace "${id}" not found`);
    if (role !== 'owner') throw new HttpError(403, 'forbidden', `role "${role}" may not manage the members of workspace "${id}"`);
    return role;
  };

  // Before any validation: a workspace the caller does not belong to answers 404 however the request is shaped.
  app.use('/workspaces/:workspace/*', async (c, next) => {
    const u = c.get('user');
    if (u && !(await h.directory().roleOf(u.id, c.req.param('workspace'))))
      throw new HttpError(404, 'not_found', `workspace "${c.req.param('workspace')}" not found`);
    await next();
  });

  app.openapi(
    apiRoute('me', {
      method: 'get',
      path: '/workspaces',
      tags: ['workspaces'],
      responses: {
        200: json(
          z.object({
            workspaces: z.array(WorkspaceView),
            owner: z.boolean().openapi({ description: "Whether the caller is the deployment's owner" }),
            accounts: z.boolean().openapi({
              description: "Whether the caller manages the deployment's accounts (/api/users, /api/tokens); otherwise a workspace's owner manages its members",
            }),
          }),
        ),
      },
    }),
    async (c) => {
      const u = currentUser(c);
      const d = h.directory();
      return c.json({ workspaces: await d.workspacesOf(u.id), owner: await d.isOwner(u.id), accounts: await d.managesAccounts(u.id) }, 200);
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
      if (!(await h.directory().isOwner(u.id))) throw new HttpError(403, 'forbidden', 'only the deployment owner creates workspaces');
      const w = await h.create(c.req.valid('json'));
      await h.audit(w.id, actorOf(c), 'workspace.create', `workspace:${w.id}`, { name: w.name });
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
    async (c) => {
      const { workspace } = c.req.valid('param');
      const caller = currentUser(c).id;
      await manageable(caller, workspace);
      const d = h.directory();
      // A workspace owner sees their members, not how old the accounts are (that would tell which ones existed).
      const full = await d.isOwner(caller);
      const members = (await d.members(workspace)).map(({ user, role, since }) => ({ user: memberUser(user, full), role, since }));
      return c.json({ members }, 200);
    },
  );

  app.openapi(
    apiRoute('me', {
      method: 'post',
      path: '/workspaces/{workspace}/members',
      tags: ['workspaces'],
      description:
        'Adds a member by email. To a workspace owner the answer does not tell whether an account had this email (202 either way); the deployment owner is told (200 existing, 201 created, 404 none and no password).',
      request: { params: WsParam, ...jsonBody(MemberAdd) },
      responses: {
        200: json(MemberView),
        201: json(MemberView, 'User created'),
        202: json(MemberAdded, 'A member now'),
        404: notFound,
        409: conflict,
      },
    }),
    async (c) => {
      const { workspace } = c.req.valid('param');
      const caller = currentUser(c).id;
      await manageable(caller, workspace);
      const b = c.req.valid('json');
      const d = h.directory();
      const email = b.email.trim().toLowerCase();
      const ownerId = await d.ownerId();
      const existing = await d.users.byEmail(email);
      const view = async (userId: string, role: Role) => {
        const m = (await d.members(workspace)).find((x) => x.user.id === userId)!;
        return { user: memberUser(m.user, caller === ownerId), role, since: m.since };
      };
      if (caller === ownerId) {
        // The deployment owner sees every account anyway (/api/users): they are told which case it was.
        if (!existing && !b.password) throw new HttpError(404, 'not_found', `no user with email "${email}" (send a password to create one)`);
        const user = existing ?? (await d.createMemberUser(workspace, { email, name: b.name, password: b.password!, role: b.role }));
        if (existing) await d.setMember(workspace, user.id, b.role);
        await h.audit(workspace, actorOf(c), 'workspace.member', `user:${user.email}`, { role: b.role, created: !existing });
        return c.json(await view(user.id, b.role), existing ? 200 : 201);
      }
      // A workspace owner knows their members (the member list): changing one's role is answered as such.
      if (existing && (await d.roleOf(existing.id, workspace, ownerId))) {
        await d.setMember(workspace, existing.id, b.role);
        await h.audit(workspace, actorOf(c), 'workspace.member', `user:${email}`, { role: b.role });
        return c.json(await view(existing.id, b.role), 200);
      }
      // Anyone else: whether the deployment has an account with this email is not theirs to learn. The same
      // request (a first password is always needed), the same answer, and one password hash on either path.
      if (!b.password)
        throw new HttpError(
          400,
          'password_required',
          `send a first password for "${email}": it is used if this email has no account yet (an existing account keeps its own)`,
        );
      if (existing) {
        await hashPassword(b.password);
        await d.setMember(workspace, existing.id, b.role);
      } else {
        await d.createMemberUser(workspace, { email, name: b.name, password: b.password, role: b.role });
      }
      // Not `created`: the workspace's audit log is read by its members, who must not learn it either.
      await h.audit(workspace, actorOf(c), 'workspace.member', `user:${email}`, { role: b.role });
      return c.json({ email, role: b.role, workspace }, 202);
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
