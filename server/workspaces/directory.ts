// The deployment's directory: which workspaces exist, who the deployment owner is, and each user's role per
// workspace. Users are deployment-wide and live in the default cell's database (as before workspaces); so do the
// workspace list and the memberships. Every cell asks this directory who a caller is and what they may do there.
import { and, eq, notInArray } from 'drizzle-orm';
import type { Store } from '../../runtime/store/db.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
import { users as usersTable, workspaceMembers, workspaces } from '../db/schema.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { UserError, type Users, type User } from '../auth/users.ts';

export const DEFAULT_WORKSPACE = 'default';
/** Lower-case letters, digits and dashes: the id is a directory name and a URL segment. */
export const WORKSPACE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface Workspace {
  id: string;
  name: string;
  createdAt: number | null;
}

type Tables = { users: typeof usersTable; members: typeof workspaceMembers; workspaces: typeof workspaces };

export class Directory {
  private readonly store: SqlStore<Tables>;

  constructor(
    store: Pick<Store, 'sql'>,
    readonly users: Users,
    private now: () => number = Date.now,
  ) {
    this.store = store.sql({ users: usersTable, members: workspaceMembers, workspaces });
  }

  private get db() {
    return this.store.db;
  }

  /** The deployment owner: the first owner of the default workspace still enabled (the first admin created). */
  async ownerId(): Promise<string | null> {
    const { users: u, members: m } = this.store.tables;
    const membersOfDefault = this.db.select({ userId: m.userId }).from(m).where(eq(m.workspaceId, DEFAULT_WORKSPACE));
    // Ties in the same millisecond go to the smaller id: the same answer on every store.
    const [r] = await this.db
      .select({ id: u.id })
      .from(u)
      .where(and(eq(u.role, 'owner'), eq(u.disabled, false), notInArray(u.id, membersOfDefault)))
      .orderBy(u.createdAt, u.id)
      .limit(1);
    return r?.id ?? null;
  }

  async isOwner(userId: string): Promise<boolean> {
    return (await this.ownerId()) === userId;
  }

  /**
   * Whether the user manages the deployment's accounts (/api/users, /api/tokens): its owner, or with one workspace
   * (a single merchant, as before workspaces) an owner of it. Otherwise an owner of a workspace manages its members
   * (an owner of one workspace must not reset the password of another's users).
   */
  async managesAccounts(userId: string): Promise<boolean> {
    const owner = await this.ownerId();
    if (owner === userId) return true;
    return (await this.list()).length === 1 && (await this.roleOf(userId, DEFAULT_WORKSPACE, owner)) === 'owner';
  }

  async list(): Promise<Workspace[]> {
    const w = this.store.tables.workspaces;
    const rows = await this.db.select().from(w).orderBy(w.createdAt, w.id);
    const own = rows.find((r) => r.id === DEFAULT_WORKSPACE);
    return [{ id: DEFAULT_WORKSPACE, name: own?.name ?? 'Default', createdAt: own?.createdAt ?? null }, ...rows.filter((r) => r.id !== DEFAULT_WORKSPACE)];
  }

  async get(id: string): Promise<Workspace | undefined> {
    return (await this.list()).find((w) => w.id === id);
  }

  async create(w: { id: string; name?: string }): Promise<Workspace> {
    if (!WORKSPACE_ID.test(w.id)) throw new UserError(`workspace id "${w.id}" must be lower-case letters, digits and dashes (at most 63)`);
    if (await this.get(w.id)) throw new UserError(`workspace "${w.id}" already exists`, 409);
    const row = { id: w.id, name: w.name ?? w.id, createdAt: this.now() };
    await this.db.insert(this.store.tables.workspaces).values(row);
    return row;
  }

  /** The user's role in the workspace; null when they are not a member (then it does not exist for them). */
  async roleOf(userId: string, workspaceId: string, ownerId?: string | null): Promise<Role | null> {
    const owner = ownerId === undefined ? await this.ownerId() : ownerId;
    if (owner === userId) return 'owner';
    const m = this.store.tables.members;
    const [row] = await this.db
      .select({ role: m.role })
      .from(m)
      .where(and(eq(m.workspaceId, workspaceId), eq(m.userId, userId)));
    if (row) return (row.role as Role | null) ?? null;
    if (workspaceId !== DEFAULT_WORKSPACE) return null;
    return this.users.get(userId).then(
      (u) => u.role,
      () => null,
    );
  }

  /** Every membership row, by user then workspace (one query, for the lists below). */
  private async memberships(workspaceId?: string): Promise<Map<string, Map<string, { role: Role | null; since: number }>>> {
    const m = this.store.tables.members;
    const rows = await this.db
      .select()
      .from(m)
      .where(workspaceId === undefined ? undefined : eq(m.workspaceId, workspaceId));
    const out = new Map<string, Map<string, { role: Role | null; since: number }>>();
    for (const r of rows) {
      let of = out.get(r.userId);
      if (!of) out.set(r.userId, (of = new Map()));
      of.set(r.workspaceId, { role: (r.role as Role | null) ?? null, since: r.createdAt });
    }
    return out;
  }

  /** The role of a user in a workspace from what `memberships` read (as roleOf answers it). */
  private static roleFrom(user: User, workspaceId: string, owner: string | null, rows: Map<string, { role: Role | null }> | undefined): Role | null {
    if (owner === user.id) return 'owner';
    const row = rows?.get(workspaceId);
    if (row) return row.role;
    return workspaceId === DEFAULT_WORKSPACE ? user.role : null;
  }

  /** The caller's workspaces with their role in each; the deployment owner has all of them. */
  async workspacesOf(userId: string): Promise<(Workspace & { role: Role })[]> {
    return (await this.rolesOf(userId)).map(({ workspace, role }) => ({ ...workspace, role }));
  }

  /** The workspace's members with their role there; `since`: when they joined it (their account's age for older members). */
  async members(workspaceId: string): Promise<{ user: User; role: Role; since: number }[]> {
    const [owner, rows, all] = [await this.ownerId(), await this.memberships(workspaceId), await this.users.list()];
    return all.flatMap((user) => {
      const role = Directory.roleFrom(user, workspaceId, owner, rows.get(user.id));
      return role ? [{ user, role, since: rows.get(user.id)?.get(workspaceId)?.since ?? user.createdAt }] : [];
    });
  }

  /** Every workspace the user belongs to, with their role in each (for the deployment owner's view of users). */
  async membershipsOf(userId: string, ownerId?: string | null): Promise<{ id: string; role: Role }[]> {
    return (await this.rolesOf(userId, ownerId)).map(({ workspace, role }) => ({ id: workspace.id, role }));
  }

  private async rolesOf(userId: string, ownerId?: string | null): Promise<{ workspace: Workspace; role: Role }[]> {
    const owner = ownerId === undefined ? await this.ownerId() : ownerId;
    const user = await this.users.get(userId).catch(() => undefined);
    if (!user) return [];
    const rows = (await this.memberships()).get(userId);
    return (await this.list()).flatMap((workspace) => {
      const role = Directory.roleFrom(user, workspace.id, owner, rows);
      return role ? [{ workspace, role }] : [];
    });
  }

  /** Adds the user to the workspace with the role, or changes their role there; null removes them from it. */
  async setMember(workspaceId: string, userId: string, role: Role | null): Promise<void> {
    if (!(await this.get(workspaceId))) throw new UserError(`workspace "${workspaceId}" not found`, 404);
    if (role !== null && !ROLES.includes(role)) throw new UserError(`unknown role "${role}" (one of ${ROLES.join(', ')})`);
    await this.users.get(userId);
    if (await this.isOwner(userId)) throw new UserError('the deployment owner is owner of every workspace', 409);
    const m = this.store.tables.members;
    await this.store.tx(async (tx) => {
      const [row] = await this.store.forUpdate(
        tx
          .select({ role: m.role })
          .from(m)
          .where(and(eq(m.workspaceId, workspaceId), eq(m.userId, userId))),
      );
      // Joining (a row without a role is "kept out of the default workspace"): the membership starts now, so a member
      // list's "since" tells when they joined, not when the account was made for another workspace.
      const joining = role !== null && (!row || row.role === null);
      await tx
        .insert(m)
        .values({ workspaceId, userId, role, createdAt: this.now() })
        .onConflictDoUpdate({ target: [m.workspaceId, m.userId], set: joining ? { role, createdAt: this.now() } : { role } });
    });
  }

  /**
   * The user's role in the workspace. In the default workspace a user without a membership row has `users.role`
   * (as before workspaces): that is what changes there, so their sessions end as a role change always did.
   */
  async setRole(workspaceId: string, userId: string, role: Role): Promise<void> {
    const m = this.store.tables.members;
    const [row] = await this.db
      .select({ role: m.role })
      .from(m)
      .where(and(eq(m.workspaceId, workspaceId), eq(m.userId, userId)));
    if (workspaceId === DEFAULT_WORKSPACE && !row) await this.users.update(userId, { role });
    else await this.setMember(workspaceId, userId, role);
  }
  /**
   * A user for another workspace only: created deployment-wide (users.role is unused for them) and kept out of
   * the default workspace by a membership row with no role.
   */
  async createMemberUser(workspaceId: string, u: { email: string; name?: string; password: string; role: Role }): Promise<User> {
    if (!(await this.get(workspaceId))) throw new UserError(`workspace "${workspaceId}" not found`, 404);
    const user = await this.users.create({ ...u, role: workspaceId === DEFAULT_WORKSPACE ? u.role : 'viewer' });
    if (workspaceId !== DEFAULT_WORKSPACE) {
      await this.setMember(DEFAULT_WORKSPACE, user.id, null);
      await this.setMember(workspaceId, user.id, u.role);
    }
    return user;
  }
}
