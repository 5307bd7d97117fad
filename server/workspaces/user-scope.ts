// A workspace's /api/users: its members with their role there. Users are deployment-wide, so without this a
// workspace's list showed every account of the deployment (those of other workspaces with the unused `users.role`).
// The deployment owner sees every account, each with its workspaces, and the role here (null: not a member here).
import { UserError } from '../auth/users.ts';
import type { ListedUser, UserScope } from '../auth/user-scope.ts';
import type { Directory } from './directory.ts';

export function workspaceUserScope(directory: () => Directory, workspaceId: string): UserScope {
  const list = async (callerId: string): Promise<ListedUser[]> => {
    const d = directory();
    const owner = await d.ownerId();
    if (callerId !== owner) return (await d.members(workspaceId)).map(({ user, role }) => ({ ...user, role }));
    return Promise.all(
      (await d.users.list()).map(async (user) => {
        const workspaces = await d.membershipsOf(user.id, owner);
        return { ...user, role: workspaces.find((w) => w.id === workspaceId)?.role ?? null, workspaces };
      }),
    );
  };
  const get = async (callerId: string, userId: string): Promise<ListedUser> => {
    const u = (await list(callerId)).find((x) => x.id === userId);
    if (!u) throw new UserError(`user "${userId}" not found`, 404);
    return u;
  };
  return {
    list,
    get,
    async create(u) {
      const user = await directory().createMemberUser(workspaceId, u);
      return { ...user, role: u.role };
    },
    setRole: (userId, role) => directory().setRole(workspaceId, userId, role),
    isMember: async (userId) => (await directory().roleOf(userId, workspaceId)) !== null,
  };
}
