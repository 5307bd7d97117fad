// The header's workspace select: the caller's workspaces (GET /api/workspaces), shown once there is more than one.
// A choice is remembered (localStorage) and the app reloads in it, so nothing of the other workspace stays on screen.
import { useEffect, useState } from 'react';
import { api, workspaceStore, type WorkspaceInfo } from '../api/client.ts';

export function WorkspaceSwitcher() {
  const [list, setList] = useState<WorkspaceInfo[] | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.workspaces().then(
      (r) => !cancelled && setList(r.workspaces),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, []);
  if (!list || list.length < 2) return null;
  const current = workspaceStore.get() ?? (list.some((w) => w.id === 'default') ? 'default' : list[0]!.id);
  return (
    <select
      className="workspace-switcher"
      data-testid="workspace-switcher"
      aria-label="Workspace"
      value={current}
      onChange={(e) => {
        workspaceStore.set(e.target.value);
        window.location.assign('/flows');
      }}
    >
      {list.map((w) => (
        <option key={w.id} value={w.id}>
          {w.name} ({w.role})
        </option>
      ))}
    </select>
  );
}
