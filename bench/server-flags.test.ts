// What keeps the server's memory under its target (bench/README.md) is given in two places: npm's start script and
// bin/ledgerline.js's shebang (`npx ledgerline`): V8 flags, and MALLOC_ARENA_MAX, which the C library reads when the
// process starts. They must not drift apart, and the shebang must really hand both to node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverLaunch } from './server-flags.ts';

const root = join(import.meta.dirname, '..');

describe("the server's launch", () => {
  it('is the same for npm start and npx ledgerline, and node starts with its flags and environment', () => {
    const { env, flags } = serverLaunch(root);
    expect(flags).toContain('--max-semi-space-size=4');
    expect(flags.some((f) => f.startsWith('--heap-growing-percent='))).toBe(true);
    expect(env).toEqual({ MALLOC_ARENA_MAX: '2' });
    const shebang = readFileSync(join(root, 'bin', 'ledgerline.js'), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node ${flags.join(' ')}`);
    // As the kernel runs the shebang: env splits the line, sets the variable, then execs node with the flags.
    const probe = `process.stdout.write(JSON.stringify([process.env.MALLOC_ARENA_MAX, process.execArgv]))`;
    const r = spawnSync('/usr/bin/env', ['-S', `${shebang.slice('#!/usr/bin/env -S '.length)} -e '${probe}'`], {
      encoding: 'utf8',
      env: { PATH: `${join(process.execPath, '..')}:${process.env.PATH}` },
    });
    expect(r.stderr).toBe('');
    const [arenas, execArgv] = JSON.parse(r.stdout) as [string, string[]];
    expect(arenas).toBe('2');
    expect(execArgv.slice(0, flags.length)).toEqual(flags);
  });

  it('with LEDGERLINE_REQUIRE_BUILD=1 (the benches), refuses to run the sources instead of the build, saying why', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'ledgerline.js'), 'serve'], {
      encoding: 'utf8',
      // FROM_SOURCE stands for a stale dist/: the same answer, whatever the checkout's build state.
      env: { ...process.env, LEDGERLINE_FROM_SOURCE: '1', LEDGERLINE_REQUIRE_BUILD: '1', PORT: '0' },
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('LEDGERLINE_REQUIRE_BUILD=1 but dist/ is missing or older than the sources: run `npm run build`');
  });

  it('says what is wrong with a start script it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'launch-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'tsx server/cli.ts serve' } }));
    expect(() => serverLaunch(dir)).toThrow(/start script is not "\[NAME=value \.\.\.\] node \[--flags\] bin\/ledgerline\.js serve"/);
  });
});
