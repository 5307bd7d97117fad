// How `npm start` launches the server (package.json's start script): the environment it sets and the node flags it
// gives. The benches start the server the same way, so what they measure is the server as it runs, and a before/after
// pair each with its own checkout's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerLaunch {
  /** Variables the start script sets before node (read by the C library at exec, too late to set from JavaScript). */
  env: Record<string, string>;
  flags: string[];
}

export function serverLaunch(root: string): ServerLaunch {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  const m = /^((?:[A-Z_][A-Z0-9_]*=\S+ )*)node((?: --\S+)*) bin\/ledgerline\.js serve$/.exec(start);
  if (!m) throw new Error(`package.json's start script is not "[NAME=value ...] node [--flags] bin/ledgerline.js serve": ${JSON.stringify(start)}`);
  const env = Object.fromEntries(
    m[1]!
      .split(' ')
      .filter(Boolean)
      .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
  );
  return { env, flags: m[2]!.split(' ').filter(Boolean) };
}
