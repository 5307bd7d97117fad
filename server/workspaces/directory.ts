// The deployment's directory: which workspaces exist, who the deployment owner is, and each user's role per
// workspace. Users are deployment-wide and live in the default cell's database (as before workspaces); so do the
// workspace list and the memberships. Every cell asks this directory who a caller is and what they may do there.
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { ServerDb } from '../db/db.ts';
import { users, workspaceMembers, workspaces } from '../db/schema.ts';
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

export class Directory {
  constructor(
    private db: ServerDb,
    readonly users: Users,
    private now: () => number = Date.now,
  ) {}

  /** The deployment owner: the first owner of the default workspace still enabled (the first admin created). */
  ownerId(): string | null {
    const membersOfDefault = this.db.select({ userId: workspaceMembers.userId }).from(workspaceMembers).where(eq(workspaceMembers.workspaceId, 'default'));
    const r = this.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, 'owner'), eq(users.disabled, false), notInArray(users.id, membersOfDefault)))
      .orderBy(users.createdAt, sql`${users}.rowid`)
      .limit(1)
      .get();
    return r?.id ?? null;
  }

  isOwner(userId: string): boolean {
    return this.ownerId() === userId;
  }

  /**
   * Whether the user manages the deployment's accounts (/api/users, /api/tokens): its owner, or with one workspace
   * (a single merchant, as before workspaces) an owner of it. Otherwise an owner of a workspace manages its members
   * (an owner of one workspace must not reset the password of another's users).
   */
  managesAccounts(userId: string): boolean {
    return this.isOwner(userId) || (this.list().length === 1 && this.roleOf(userId, DEFAULT_WORKSPACE) === 'owner');
  }

  list(): Workspace[] {
    const rows = this.db.select().from(workspaces).all();
    const own = rows.find((r) => r.id === DEFAULT_WORKSPACE);
    return [{ id: DEFAULT_WORKSPACE, name: own?.name ?? 'Default', createdAt: own?.createdAt ?? null }, ...rows.filter((r) => r.id !== DEFAULT_WORKSPACE)];
  }

  get(id: string): Workspace | undefined {
    return this.list().find((w) => w.id === id);
  }

  create(w: { id: string; name?: string }): Workspace {
    if (!WORKSPACE_ID.test(w.id)) throw new UserError(`workspace id "${w.id}" must be lower-case letters, digits and dashes (at most 63)`);
    if (this.get(w.id)) throw new UserError(`workspace "${w.id}" already exists`, 409);
    const row = { id: w.id, name: w.name ?? w.id, createdAt: this.now() };
    this.db.insert(workspaces).values(row).run();
    return row;
  }

  /** The user's role in the workspace; null when they are not a member (then it does not exist for them). */
  roleOf(userId: string, workspaceId: string, ownerId = this.ownerId()): Role | null {
    if (ownerId === userId) return 'owner';
    const m = this.db
      .select()
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
      .get();
    if (m) return (m.role as Role | null) ?? null;
    if (workspaceId !== DEFAULT_WORKSPACE) return null;
    try {
      return this.users.get(userId).role;
    } catch {
      return null;
    }
  }

  /** The caller's workspaces with their role in each; the deployment owner has all of them. */
  workspacesOf(userId: string): (Workspace & { role: Role })[] {
    const owner = this.ownerId();
    return this.list().flatMap((w) => {
      const role = this.roleOf(userId, w.id, owner);
      return role ? [{ ...w, role }] : [];
    });
  }

  /** The workspace's members with their role there; `since`: when they joined it (their account's age for older members). */
  members(workspaceId: string): { user: User; role: Role; since: number }[] {
    const owner = this.ownerId();
    const joined = new Map(
      this.db
        .select({ userId: workspaceMembers.userId, createdAt: workspaceMembers.createdAt })
        .from(workspaceMembers)
        .where(eq(workspaceMembers.workspaceId, workspaceId))
        .all()
        .map((m) => [m.userId, m.createdAt]),
    );
    return this.users.list().flatMap((user) => {
      const role = this.roleOf(user.id, workspaceId, owner);
      return role ? [{ user, role, since: joined.get(user.id) ?? user.createdAt }] : [];
    });
  }

  /** Every workspace the user belongs to, with their role in each (for the deployment owner's view of users). */
  membershipsOf(userId: string, ownerId = this.ownerId()): { id: string; role: Role }[] {
    return this.list().flatMap((w) => {
      const role = this.roleOf(userId, w.id, ownerId);
      return role ? [{ id: w.id, role }] : [];
    });
  }

  /** Adds the user to the workspace with the role, or changes their role there; null removes them from it. */
  setMember(workspaceId: string, userId: string, role: Role | null): void {
    if (!this.get(workspaceId)) throw new UserError(`workspace "${workspaceId}" not found`, 404);
    if (role !== null && !ROLES.includes(role)) throw new UserError(`unknown role "${role}" (one of ${ROLES.join(', ')})`);
    this.users.get(userId);
    if (this.isOwner(userId)) throw new UserError('the deployment owner is owner of every workspace', 409);
    const row = this.db
      .select({ role: workspaceMembers.role })
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
      .get();
    // Joining (a row without a role is "kept out of the default workspace"): the membership starts now, so a member
    // list's "since" tells when they joined, not when the account was made for another workspace.
    const joining = role !== null && (!row || row.role === null);
    this.db
      .insert(workspaceMembers)
      .values({ workspaceId, userId, role, createdAt: this.now() })
      .onConflictDoUpdate({
        target: [workspaceMembers.workspaceId, workspaceMembers.userId],
        set: joining ? { role, createdAt: this.now() } : { role },
      })
      .run();
  }

  /**
   * The user's role in the workspace. In the default workspace a user without a membership row has `users.role`
   * (as before workspaces): that is what changes there, so their sessions end as a role change always did.
   */
  async setRole(workspaceId: string, userId: string, role: Role): Promise<void> {
    const row = this.db
      .select({ role: workspaceMembers.role })
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
      .get();
    if (workspaceId === DEFAULT_WORKSPACE && !row) await this.users.update(userId, { role });
    else this.setMember(workspaceId, userId, role);
  }

  /**
   * A user for another workspace only: created deployment-wide (users.role is unused for them) and kept out of
   * the default workspace by a membership row with no role.
   */
  async createMemberUser(workspaceId: string, u: { email: string; name?: string; password: string; role: Role }): Promise<User> {
    if (!this.get(workspaceId)) throw new UserError(`workspace "${workspaceId}" not found`, 404);
    const user = await this.users.create({ ...u, role: workspaceId === DEFAULT_WORKSPACE ? u.role : 'viewer' });
    if (workspaceId !== DEFAULT_WORKSPACE) {
      this.setMember(DEFAULT_WORKSPACE, user.id, null);
      this.setMember(workspaceId, user.id, u.role);
    }
    return user;
  }
}
