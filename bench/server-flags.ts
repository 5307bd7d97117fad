// The node flags `npm start` gives the server (package.json's start script): the benches start it with the same, so
// what they measure is the server as it runs, and a before/after pair each with its own checkout's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function serverNodeFlags(root: string): string[] {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? '';
  const m = /^node((?: --\S+)*) bin\/ledgerline\.js serve$/.exec(start);
  if (!m) throw new Error(`package.json's start script is not "node [--flags] bin/ledgerline.js serve": ${JSON.stringify(start)}`);
  return m[1]!.split(' ').filter(Boolean);
}
