// Who is signed in. Roles decide what the UI offers; the server enforces them anyway.
import { create } from 'zustand';
import { ApiError, api, setUnauthorizedHandler, tokenStore, workspaceStore } from '../api/client.ts';
import type { Role, User } from '../api/types.ts';
import { can } from './permissions.ts';

interface SessionState {
  user: User | null;
  checked: boolean;
  restore(): Promise<void>;
  login(email: string, password: string): Promise<User>;
  logout(): Promise<void>;
}

export const useSession = create<SessionState>()((set, get) => ({
  user: null,
  checked: false,
  restore: async () => {
    // No token, no session worth asking about: avoids a 401 on every visit to the login page.
    if (!tokenStore.get()) return set({ user: null, checked: true });
    try {
      set({ user: await api.me(), checked: true });
    } catch (e) {
      // The remembered workspace is gone or no longer ours (404): back to the user's default one.
      if (e instanceof ApiError && e.status === 404 && workspaceStore.get()) {
        workspaceStore.set(null);
        return get().restore();
      }
      set({ user: null, checked: true });
    }
  },
  login: async (email, password) => {
    const { token, user: signedIn } = await api.login(email, password);
    tokenStore.set(token);
    // Roles are per workspace: the role shown is the one in the workspace the designer works in.
    const user = await api.me().catch(() => (workspaceStore.set(null), api.me().catch(() => signedIn)));
    set({ user, checked: true });
    return user;
  },
  logout: async () => {
    try {
      await api.logout();
    } finally {
      tokenStore.set(null);
      set({ user: null });
    }
  },
}));

setUnauthorizedHandler(() => {
  tokenStore.set(null);
  useSession.setState({ user: null });
});

/** Can change the flow's structure and code (the canvas). */
export const canEditStructure = (role: Role | undefined) => can(role, 'flows.write');
/** Sees the canvas at all (read-only for operations and finance). */
export const canSeeCanvas = (role: Role | undefined) => role !== 'client' && role !== undefined;
/** Month-end payout reconciliation (the finance API's `finance.read`). */
export const canSeeFinance = (role: Role | undefined) => can(role, 'finance.read');
