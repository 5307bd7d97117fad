// Which users a server's /api/users shows and changes. A server on its own: all of its users, with their role.
// A workspace's cell is given a scope by its deployment (server/workspaces/user-scope.ts): the workspace's members
// with their role there, so a workspace's user list never shows another workspace's users; the deployment owner
// sees everyone, with their workspaces.
import type { Role } from './roles.ts';
import type { User, Users } from './users.ts';

export interface ListedUser extends Omit<User, 'role'> {
  /** Their role here; null: not a member here (only the deployment owner's list shows such users). */
  role: Role | null;
  /** In the deployment owner's list only: every workspace they belong to, with their role in each. */
  workspaces?: { id: string; role: Role }[];
}

export interface UserScope {
  /** The users this caller sees here. */
  list(callerId: string): Promise<ListedUser[]>;
  /** One of them; 404 when this caller does not see them here. */
  get(callerId: string, userId: string): Promise<ListedUser>;
  /** A new account that is a member here with the role. */
  create(u: { email: string; name?: string; role: Role; password: string }): Promise<ListedUser>;
  /** Their role here (a member from now on). */
  setRole(userId: string, role: Role): Promise<void>;
  /** Whether the user belongs here (what happens to them, such as signing in, goes in this audit log or none). */
  isMember(userId: string): Promise<boolean>;
}

/** A server that is not one workspace of several: its users are all there is, and `users.role` is their role. */
export function ownUserScope(users: Users): UserScope {
  return {
    list: () => users.list(),
    get: (_caller, id) => users.get(id),
    create: (u) => users.create(u),
    setRole: async (id, role) => void (await users.update(id, { role })),
    isMember: async () => true,
  };
}
