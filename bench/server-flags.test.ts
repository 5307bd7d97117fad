// The V8 flags that keep the server's memory under its target (bench/README.md) are given in two places: npm's start
// script and bin/ledgerline.js's shebang (`npx ledgerline`). They must not drift apart, and node must accept them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverNodeFlags } from './server-flags.ts';

const root = join(import.meta.dirname, '..');

describe("the server's node flags", () => {
  it('are the same for npm start and npx ledgerline, and node starts with them', () => {
    const flags = serverNodeFlags(root);
    expect(flags).toContain('--max-semi-space-size=4');
    expect(flags.some((f) => f.startsWith('--heap-growing-percent='))).toBe(true);
    const shebang = readFileSync(join(root, 'bin', 'ledgerline.js'), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags.join(' ')}`);
    const r = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write("up")'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('up');
  });
});
