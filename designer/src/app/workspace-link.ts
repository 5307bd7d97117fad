// A link that names its workspace (an alert's `…/exceptions/<id>?workspace=<id>`) opens in that workspace: the
// designer works there from now on (as if switched), and the parameter leaves the address bar. A workspace the user
// is not a member of answers 404, and the session falls back to the user's default one (session.ts).
import { workspaceStore } from '../api/client.ts';

export function adoptWorkspaceFromLink(): void {
  const url = new URL(location.href);
  const id = url.searchParams.get('workspace');
  if (!id) return;
  workspaceStore.set(id);
  url.searchParams.delete('workspace');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}
