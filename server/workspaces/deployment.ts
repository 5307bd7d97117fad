// A deployment of workspaces as cells: each workspace is a whole server (createServer) on its own data dir, with its
// own store, vault, runtime and worker pool, so nothing of one is reachable from another by construction. The
// default workspace is the data dir itself (existing data dirs and `npm start` are unchanged); further ones live in
// `<dataDir>/workspaces/<id>/`. One outer app routes each request to its cell: `X-Ledgerline-Workspace: <id>` for
// the API, the workspace segment of webhook URLs.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { createServer, type LedgerlineServer, type ServerOptions } from '../app.ts';
import { errorBody } from '../api/http.ts';
import { isSqlite } from '../../runtime/store/any-store.ts';
import { pgSchemaOf } from '../../runtime/store/pg-store.ts';
import { presentedToken } from '../auth/middleware.ts';
import { UserError, type User } from '../auth/users.ts';
import { DEFAULT_WORKSPACE, Directory, type Workspace } from './directory.ts';
import { workspacesRouter, type WorkspaceHost } from './routes.ts';
import { workspaceUserScope } from './user-scope.ts';

export const WORKSPACE_HEADER = 'x-ledgerline-workspace';

export interface Deployment {
  /** The outer app: every request goes to one cell. */
  app: Hono;
  directory: Directory;
  /** The default workspace's server (the data dir root). */
  defaultCell: LedgerlineServer;
  cell(id: string): LedgerlineServer | undefined;
  cells(): Map<string, LedgerlineServer>;
  createWorkspace(w: { id: string; name?: string }): Promise<Workspace>;
  /** Opens the cells of workspaces created elsewhere (`ledgerline workspace create`); runs every 10 s. */
  refresh(): Promise<string[]>;
  /** /metrics on a port of its own: the default workspace's, or the one named by X-Ledgerline-Workspace (each carries a `workspace` label). */
  metricsApp: Hono;
  /** Like LedgerlineServer.shopifyWebhookListener, for `/webhooks/shopify/:connection` and `/webhooks/shopify/:workspace/:connection`. */
  shopifyWebhookListener(req: IncomingMessage, res: ServerResponse): boolean;
  setWebhookTimeout(ms: number): void;
  attach(baseUrl: string): void;
  /** Closes every cell; `graceMs`: how long their workers let runs in flight finish (see LedgerlineServer.close). */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** Where a workspace's data lives. */
export const workspaceDir = (dataDir: string, id: string) => (id === DEFAULT_WORKSPACE ? resolve(dataDir) : join(resolve(dataDir), 'workspaces', id));

export async function createDeployment(o: ServerOptions): Promise<Deployment> {
  const dataDir = resolve(o.dataDir);
  const ownSandbox = !o.sandbox;
  // One isolated-vm pool for every cell: isolates share nothing, and one pool bounds the memory they use.
  const sandbox = o.sandbox ?? (await import('../../runtime/sandbox/index.ts')).createSandbox();
  const cells = new Map<string, LedgerlineServer>();
  let directory!: Directory;
  let baseUrl: string | undefined;
  let webhookTimeoutMs: number | undefined;

  const host: WorkspaceHost = {
    directory: () => directory,
    create: (w) => createWorkspace(w),
    audit: async (id, actor, action, target, data) => {
      await cells.get(id)?.deps.audit.record(actor, action, target, data);
    },
  };
  const cellOptions = (id: string) => ({
    workspaceId: id,
    users: id === DEFAULT_WORKSPACE ? undefined : directory.users,
    roleOf: (userId: string) => directory.roleOf(userId, id),
    // Users and tokens are deployment-wide (see Directory.managesAccounts).
    manageUsers: (userId: string) => directory.managesAccounts(userId),
    userScope: workspaceUserScope(() => directory, id),
    routes: (app: Parameters<NonNullable<NonNullable<ServerOptions['cell']>['routes']>>[0]) => app.route('/api', workspacesRouter(host)),
  });
  // A further workspace's metrics carry its id; the default workspace's stay as they were before workspaces (no
  // label), so existing dashboards and alerts keep matching.
  const label = (s: LedgerlineServer, id: string) => {
    if (id !== DEFAULT_WORKSPACE) s.deps.metrics.registry.setDefaultLabels({ workspace: id });
  };

  const databaseUrl = o.databaseUrl ?? ((o.env ?? process.env).LEDGERLINE_DATABASE_URL || undefined);
  /** Where a store of this id already is, if one is: its SQLite file, or its PostgreSQL schema (of the same database). */
  async function leftoverStore(id: string): Promise<string | undefined> {
    if (!databaseUrl) {
      const file = join(workspaceDir(dataDir, id), 'ledgerline.db');
      return existsSync(file) ? workspaceDir(dataDir, id) : undefined;
    }
    const store = defaultCell.runtime.store;
    if (isSqlite(store)) return undefined; // not reached: with a database URL every cell is on it
    const schema = pgSchemaOf(id);
    const { rows } = await store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema]);
    return rows[0]!.n > 0 ? `PostgreSQL schema ${schema} at ${store.where}` : undefined;
  }

  async function openCell(id: string): Promise<LedgerlineServer> {
    const dir = workspaceDir(dataDir, id);
    mkdirSync(dir, { recursive: true });
    // A further workspace is a merchant's production integration: no sandbox store, templates or first admin.
    const s = await createServer({ ...o, dataDir: dir, sandbox, sandboxMode: false, templatesDir: null, onFirstAdmin: undefined, cell: cellOptions(id) });
    label(s, id);
    if (webhookTimeoutMs !== undefined) s.setWebhookTimeout(webhookTimeoutMs);
    if (baseUrl) s.attach(baseUrl);
    cells.set(id, s);
    return s;
  }

  const defaultCell = await createServer({ ...o, dataDir, sandbox, cell: cellOptions(DEFAULT_WORKSPACE) });
  directory = new Directory(defaultCell.runtime.store, defaultCell.deps.users, o.now);
  label(defaultCell, DEFAULT_WORKSPACE);
  cells.set(DEFAULT_WORKSPACE, defaultCell);
  try {
    for (const w of await directory.list()) if (w.id !== DEFAULT_WORKSPACE) await openCell(w.id);
  } catch (e) {
    await Promise.allSettled([...cells.values()].map((s) => s.close()));
    throw e;
  }

  const creating = new Map<string, Promise<Workspace>>();
  let closed = false;
  async function createWorkspace(w: { id: string; name?: string }): Promise<Workspace> {
    if (creating.has(w.id)) return creating.get(w.id)!;
    const p = (async () => {
      const leftover = await leftoverStore(w.id);
      if (leftover && !(await directory.get(w.id))) {
        // A leftover store of a workspace not in the directory: never adopt someone's data silently.
        throw new UserError(`${leftover} already holds a store; move it away first`, 409);
      }
      const ws = await directory.create(w);
      await openCell(ws.id);
      return ws;
    })();
    creating.set(w.id, p);
    try {
      return await p;
    } finally {
      creating.delete(w.id);
    }
  }

  // Workspaces created by the CLI (another process, same directory) are served within seconds, without a restart.
  let refreshing: Promise<string[]> | undefined;
  const refresh = () =>
    (refreshing ??= (async () => {
      const opened: string[] = [];
      try {
        for (const w of await directory.list()) {
          if (cells.has(w.id) || creating.has(w.id) || closed) continue;
          await openCell(w.id);
          opened.push(w.id);
        }
      } finally {
        refreshing = undefined;
      }
      return opened;
    })());
  const refreshTimer = setInterval(
    () => void refresh().catch((e: unknown) => defaultCell.deps.log.warn({ err: (e as Error).message }, 'opening a workspace created elsewhere failed')),
    10_000,
  );
  refreshTimer.unref();

  const who = async (c: Context): Promise<User | null> => {
    const { token } = presentedToken(c);
    return token ? directory.users.authenticate(token) : null;
  };
  const notFound = (c: Context) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
  const forward = (c: Context, cell: LedgerlineServer, path?: string) => {
    if (path === undefined) return cell.app.fetch(c.req.raw, c.env);
    const url = new URL(c.req.url);
    url.pathname = path;
    return cell.app.fetch(new Request(url, c.req.raw), c.env);
  };

  const app = new Hono();
  // Webhooks carry their workspace in the URL; the old URLs (no workspace) are the default workspace's.
  app.all('/webhooks/shopify/:workspace/:connection', (c) => {
    const cell = cells.get(c.req.param('workspace'));
    return cell ? forward(c, cell, `/webhooks/shopify/${encodeURIComponent(c.req.param('connection'))}`) : notFound(c);
  });
  app.all('/webhooks/flows/:workspace/:flow', (c) => {
    const cell = cells.get(c.req.param('workspace'));
    return cell ? forward(c, cell, `/webhooks/flows/${encodeURIComponent(c.req.param('flow'))}`) : notFound(c);
  });
  app.all('*', async (c) => {
    const asked = c.req.header(WORKSPACE_HEADER);
    if (asked !== undefined) {
      const cell = cells.get(asked);
      if (!cell) return notFound(c);
      // A signed-in caller who is not a member: 404 for every path of it (API, /metrics, health), as if it did not
      // exist. The cell checks membership again for its API (defence in depth); /api/workspaces does its own.
      const user = c.req.path.startsWith('/api/workspaces') || c.req.path === '/api/auth/login' ? null : await who(c);
      if (user && !(await directory.roleOf(user.id, asked))) return notFound(c);
      return forward(c, cell);
    }
    // No header: the default workspace, or the caller's only workspace when they are not in the default one.
    if (cells.size > 1 && c.req.path.startsWith('/api/')) {
      const user = await who(c);
      if (user && !(await directory.roleOf(user.id, DEFAULT_WORKSPACE))) {
        const [only, ...others] = await directory.workspacesOf(user.id);
        if (only && !others.length) return forward(c, cells.get(only.id)!);
      }
    }
    return forward(c, defaultCell);
  });

  const metricsApp = new Hono();
  metricsApp.all('*', (c) => {
    const cell = cells.get(c.req.header(WORKSPACE_HEADER) ?? DEFAULT_WORKSPACE);
    return cell ? cell.metricsApp.fetch(c.req.raw, c.env) : notFound(c);
  });

  const SHOPIFY_IN_WORKSPACE = /^\/webhooks\/shopify\/([^/?#]+)\/([^/?#]+)(\?.*)?$/;
  return {
    app,
    directory,
    defaultCell,
    cell: (id) => cells.get(id),
    cells: () => cells,
    createWorkspace,
    refresh,
    metricsApp,
    shopifyWebhookListener(req, res) {
      const m = req.method === 'POST' ? SHOPIFY_IN_WORKSPACE.exec(req.url ?? '') : null;
      const [, rawId, rest, query] = m ?? [];
      if (!rawId || !rest) return defaultCell.shopifyWebhookListener(req, res);
      let id: string;
      try {
        id = decodeURIComponent(rawId);
      } catch {
        return false;
      }
      const cell = cells.get(id);
      if (!cell) return false; // the outer app answers 404
      req.url = `/webhooks/shopify/${rest}${query ?? ''}`;
      return cell.shopifyWebhookListener(req, res);
    },
    setWebhookTimeout(ms) {
      webhookTimeoutMs = ms;
      for (const s of cells.values()) s.setWebhookTimeout(ms);
    },
    attach(url) {
      baseUrl = url;
      for (const s of cells.values()) s.attach(url);
    },
    async close(opts) {
      if (closed) return;
      closed = true;
      clearInterval(refreshTimer);
      await refreshing?.catch(() => {});
      await Promise.allSettled([...cells.values()].map((s) => s.close(opts)));
      if (ownSandbox) await sandbox.close();
    },
  };
}
