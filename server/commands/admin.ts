// `ledgerline user add`, `ledgerline token create`, `ledgerline vault rotate`: operator commands on a data dir.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { openCliStore } from './cli-store.ts';
import { Users } from '../auth/users.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { Directory } from '../workspaces/directory.ts';
import { loadVault } from '../vault/vault.ts';
import { rotateVault } from '../vault/rotate.ts';

export const ADMIN_USAGE = `ledgerline user add --email E --role ${ROLES.join('|')} [--name N] [--workspace ID] [--data-dir DIR]   (password from stdin)
  ledgerline token create --email E --name N [--data-dir DIR]
  ledgerline vault rotate [--data-dir DIR]   (with LEDGERLINE_MASTER_KEY set, give the new key as LEDGERLINE_NEW_MASTER_KEY)`;

interface Io {
  out(s: string): void;
  err(s: string): void;
  stdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  stdin: async () => {
    if (process.stdin.isTTY) process.stderr.write('Password: ');
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text;
  },
  env: process.env,
};

async function withStore<T>(dataDir: string | undefined, env: NodeJS.ProcessEnv, fn: (store: AnyStore, dir: string) => T | Promise<T>): Promise<T> {
  const dir = resolve(dataDir ?? env.LEDGERLINE_DATA_DIR ?? './data');
  const store = await openCliStore(dir, env);
  try {
    return await fn(store, dir);
  } finally {
    await store.close();
  }
}

/** Returns an exit code: 0 done, 1 refused (e.g. the user exists), 2 usage error. */
export async function adminCommand(command: 'user' | 'token' | 'vault', argv: string[], io: Partial<Io> = {}): Promise<number> {
  const o = { ...defaultIo, ...io };
  const [sub, ...rest] = argv;
  const usage = (msg: string) => (o.err(`ledgerline: ${msg}\nusage:\n  ${ADMIN_USAGE}`), 2);
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        'data-dir': { type: 'string' },
        'expires-in-days': { type: 'string' },
        workspace: { type: 'string' },
      },
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (e) {
    return usage((e as Error).message);
  }
  try {
    if (command === 'user' && sub === 'add') {
      if (!values.email) return usage('user add needs --email');
      if (!values.role || !(ROLES as readonly string[]).includes(values.role)) return usage(`--role must be one of ${ROLES.join(', ')}`);
      const password = (await o.stdin()).replace(/\r?\n$/, '');
      if (password.length < 10) return usage('the password (read from stdin) must be at least 10 characters');
      // Users are deployment-wide (the default workspace's database); --workspace makes them a member of that one only.
      const ws = values.workspace;
      if (ws !== undefined && command === 'user') {
        const user = await withStore(values['data-dir'], o.env, (store) =>
          new Directory(store, new Users(store)).createMemberUser(ws, { email: values.email!, name: values.name, role: values.role as Role, password }),
        );
        o.out(`added ${user.email} as ${values.role} of workspace ${ws}`);
        return 0;
      }
      const user = await withStore(values['data-dir'], o.env, (store) =>
        new Users(store).create({ email: values.email!, name: values.name, role: values.role!, password }),
      );
      o.out(`added ${user.email} as ${user.role}`);
      return 0;
    }
    if (command === 'token' && sub === 'create') {
      if (!values.email || !values.name) return usage('token create needs --email and --name');
      const token = await withStore(values['data-dir'], o.env, async (store) => {
        const users = new Users(store);
        const user = await users.byEmail(values.email!);
        if (!user) throw new Error(`no user with email "${values.email}"`);
        const days = values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']);
        if (days !== undefined && !(days > 0)) throw new Error('--expires-in-days must be a positive number');
        return (await users.createToken(user.id, values.name!, { expiresAt: days ? Date.now() + days * 86_400_000 : null })).token;
      });
      // The token is shown once, here; only its hash is stored.
      o.out(token);
      return 0;
    }
    if (command === 'vault' && sub === 'rotate') {
      const r = await withStore(values['data-dir'], o.env, (store, dir) => {
        const { vault, source } = loadVault(dir, o.env.LEDGERLINE_MASTER_KEY);
        return rotateVault({ store, vault, dataDir: dir, envKeyInUse: source === 'env', newKey: o.env.LEDGERLINE_NEW_MASTER_KEY });
      });
      o.out(
        `re-encrypted ${r.reencrypted} secret(s) under key ${r.keyId}${r.keyFile ? ` (written to ${r.keyFile} in the data dir: back it up)` : '; now set LEDGERLINE_MASTER_KEY to the new key'}`,
      );
      return 0;
    }
    return usage(`unknown command "${command}${sub ? ' ' + sub : ''}"`);
  } catch (e) {
    o.err(`ledgerline: ${(e as Error).message}`);
    return 1;
  }
}
