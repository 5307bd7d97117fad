// `ledgerline workspace create ID [--name N]`, `ledgerline workspace list`, and `--workspace ID` on the commands that
// act on one workspace's data: the flag is turned into that workspace's data dir (server/workspaces), so each
// command stays as it was and works on the default workspace (the data dir itself) without it.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeStore, cliStoreTarget, openCliStore } from './cli-store.ts';
import { Users } from '../auth/users.ts';
import { DEFAULT_WORKSPACE, Directory } from '../workspaces/directory.ts';
import { workspaceDir } from '../workspaces/deployment.ts';

export const WORKSPACE_USAGE = `ledgerline workspace create ID [--name N] [--data-dir DIR]
  ledgerline workspace list [--data-dir DIR] [--json]`;

export class WorkspaceArgError extends Error {
  override name = 'WorkspaceArgError';
}

/** The deployment's directory: in the default workspace's store (its SQLite file, or its PostgreSQL schema). */
export async function withDirectory<T>(dataDir: string, env: NodeJS.ProcessEnv, fn: (d: Directory) => Promise<T>): Promise<T> {
  const store = await openCliStore(dataDir, { ...env, LEDGERLINE_WORKSPACE: DEFAULT_WORKSPACE });
  try {
    return await fn(new Directory(store, new Users(store)));
  } finally {
    await store.close();
  }
}

const dataDirOf = (given: string | undefined, env: NodeJS.ProcessEnv) => resolve(given ?? env.LEDGERLINE_DATA_DIR ?? './data');

/**
 * Takes `--workspace ID` (or `--workspace=ID`) out of a command's arguments and points its `--data-dir` at that
 * workspace's data dir. Without the flag the arguments are returned as they are.
 */
export async function resolveWorkspaceArg(args: string[], env: NodeJS.ProcessEnv): Promise<{ args: string[]; workspace?: string; rootDir?: string }> {
  const i = args.findIndex((a) => a === '--workspace' || a.startsWith('--workspace='));
  if (i < 0) return { args };
  const id = args[i]!.includes('=') ? args[i]!.slice('--workspace='.length) : args[i + 1];
  if (!id || id.startsWith('--')) throw new WorkspaceArgError('--workspace needs an id (see `ledgerline workspace list`)');
  const rest = [...args.slice(0, i), ...args.slice(i + (args[i]!.includes('=') ? 1 : 2))];
  const d = rest.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  const given = d < 0 ? undefined : rest[d]!.includes('=') ? rest[d]!.slice('--data-dir='.length) : rest[d + 1];
  const rootDir = dataDirOf(given, env);
  if (!(await withDirectory(rootDir, env, (dir) => dir.get(id))))
    throw new WorkspaceArgError(`no workspace "${id}" in ${rootDir} (see \`ledgerline workspace list\`)`);
  const without = d < 0 ? rest : [...rest.slice(0, d), ...rest.slice(d + (rest[d]!.includes('=') ? 1 : 2))];
  return { args: [...without, '--data-dir', workspaceDir(rootDir, id)], workspace: id, rootDir };
}

export async function workspaceCommand(
  argv: string[],
  io: { out(s: string): void; err(s: string): void; env: NodeJS.ProcessEnv } = {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    env: process.env,
  },
): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const root = dataDirOf(values['data-dir'], io.env);
  if (sub === 'list') {
    if (positionals.length) throw new WorkspaceArgError('workspace list takes no arguments');
    const list = await withDirectory(root, io.env, async (d) =>
      Promise.all((await d.list()).map(async (w) => ({ ...w, dataDir: workspaceDir(root, w.id), members: (await d.members(w.id)).length }))),
    );
    if (values.json) io.out(JSON.stringify(list, null, 2));
    else for (const w of list) io.out(`${w.id}\t${w.name}\t${w.members} member${w.members === 1 ? '' : 's'}\t${w.dataDir}`);
    return 0;
  }
  if (sub === 'create') {
    if (positionals.length !== 1) throw new WorkspaceArgError('workspace create takes exactly one ID');
    const id = positionals[0]!;
    if (id === DEFAULT_WORKSPACE) throw new WorkspaceArgError(`"${DEFAULT_WORKSPACE}" is the data dir itself; it always exists`);
    let w;
    try {
      w = await withDirectory(root, io.env, (d) => d.create({ id, name: values.name }));
    } catch (e) {
      if ((e as Error).name !== 'UserError') throw e;
      io.err(`ledgerline workspace create: ${(e as Error).message}`);
      return 1;
    }
    // The workspace's own store (its SQLite file, or its PostgreSQL schema), migrated now so the commands that take
    // --workspace can open it at once. Its data dir holds its vault key file either way.
    const dir = workspaceDir(root, w.id);
    mkdirSync(dir, { recursive: true });
    const env = { ...io.env, LEDGERLINE_WORKSPACE: w.id };
    await (await openCliStore(dir, env)).close();
    const where = cliStoreTarget(dir, env).databaseUrl ? `${describeStore(cliStoreTarget(dir, env))} (data dir ${dir})` : dir;
    io.out(`created workspace ${w.id} (${w.name}) in ${where}; a running server serves it within 10 s`);
    return 0;
  }
  throw new WorkspaceArgError(`unknown workspace command "${sub ?? ''}"`);
}
