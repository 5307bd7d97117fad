// `ledgerline workspace create|list` and `--workspace ID` on a command, through the real binary; `user add
// --workspace` makes a member of that workspace only.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { adminCommand } from './admin.ts';
import { withDirectory } from './workspace.ts';

const exec = promisify(execFile);
const bin = new URL('../../bin/ledgerline.js', import.meta.url).pathname;
const tmp = tempDir('ledgerline-ws-cli-');
afterAll(() => tmp.cleanup());

async function cli(...args: string[]) {
  try {
    const r = await exec(process.execPath, [bin, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('ledgerline workspace', () => {
  const data = join(tmp.dir, 'data');
  it('creates a workspace with its own migrated store and lists it after the default one', async () => {
    expect((await cli('workspace', 'create', 'brand-b', '--name', 'Brand B', '--data-dir', data)).code).toBe(0);
    expect(existsSync(join(data, 'workspaces', 'brand-b', 'ledgerline.db'))).toBe(true);
    const again = await cli('workspace', 'create', 'brand-b', '--data-dir', data);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect((await cli('workspace', 'create', 'Bad_Id', '--data-dir', data)).code).toBe(1);
    const list = await cli('workspace', 'list', '--data-dir', data, '--json');
    expect(JSON.parse(list.stdout).map((w: { id: string; name: string }) => [w.id, w.name])).toEqual([
      ['default', 'Default'],
      ['brand-b', 'Brand B'],
    ]);
  });

  it('--workspace points a command at that workspace; without it the command is as before', async () => {
    const m = await cli('migrate', '--workspace', 'brand-b', '--data-dir', data);
    expect(m.code).toBe(0);
    expect(m.stdout.trim()).toBe(`migrated ${join(data, 'workspaces', 'brand-b', 'ledgerline.db')}`);
    expect((await cli('migrate', '--data-dir', data)).stdout.trim()).toBe(`migrated ${join(data, 'ledgerline.db')}`);
    const unknown = await cli('migrate', '--workspace', 'nope', '--data-dir', data);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no workspace "nope"');
  });

  it('user add --workspace makes a member of that workspace only', async () => {
    const out: string[] = [];
    const code = await adminCommand('user', ['add', '--email', 'c@b.example', '--role', 'consultant', '--workspace', 'brand-b', '--data-dir', data], {
      out: (s) => out.push(s),
      err: (s) => out.push(s),
      stdin: async () => 'password-long-1\n',
      env: {},
    });
    expect(code, out.join('\n')).toBe(0);
    await withDirectory(data, {}, async (d) => {
      const u = (await d.users.byEmail('c@b.example'))!;
      expect((await d.workspacesOf(u.id)).map((w) => [w.id, w.role])).toEqual([['brand-b', 'consultant']]);
    });
  });
});
