// Start time: `npm start` (and `node bin/ledgerline.js serve` without npm) on an empty data dir until /healthz
// answers, from the compiled dist/ and from the TypeScript sources (LEDGERLINE_FROM_SOURCE=1), rounds interleaved.
// Also the server process's CPU time until healthy (from /proc: steadier than wall time on a shared machine).
// Usage: node --import tsx bench/start.ts [rounds]   (builds dist/ first: `npm run build`)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuTicks } from './proc-cpu.ts';

const rounds = Number(process.argv[2] ?? 5);
const root = join(import.meta.dirname, '..');
if (!existsSync(join(root, 'dist', 'BUILT'))) throw new Error('no dist/: run `npm run build` first');
const TICK = 100; // USER_HZ on Linux

/** user+system CPU of a process and its descendants (the sandbox children), in ms. */
function cpuMs(pid: number): number {
  let total = 0;
  const stat = (p: number) => {
    try {
      total += (cpuTicks(p) * 1000) / TICK;
    } catch {
      /* gone */
    }
  };
  const kids = (p: number): number[] => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((t) =>
        readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {
      return [];
    }
  };
  const walk = (p: number) => (stat(p), kids(p).forEach(walk));
  walk(pid);
  return total;
}

type Command = [string, ...string[]];

async function once(cmd: Command, fromSource: boolean, port: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-start-'));
  const t0 = performance.now();
  const child = spawn(cmd[0], cmd.slice(1), {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LEDGERLINE_DATA_DIR: dataDir,
      LEDGERLINE_ADMIN_PASSWORD: 'bench-admin-pw',
      ...(fromSource ? { LEDGERLINE_FROM_SOURCE: '1' } : { LEDGERLINE_REQUIRE_BUILD: '1' }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // its own process group: npm does not pass SIGTERM on to the server
  });
  // A server that refuses to start (dist/ older than the sources, under LEDGERLINE_REQUIRE_BUILD) says why on stderr:
  // reported at once, not as a minute's wait for a health check.
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  let wall = 0;
  let cpu = 0;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) {
        wall = performance.now() - t0;
        cpu = cpuMs(child.pid!);
        break;
      }
    } catch {
      /* not listening yet */
    }
    if (exitCode !== undefined) throw new Error(`${cmd.join(' ')} exited (code ${exitCode}) before it was healthy:\n${stderr.trim()}`);
    if (performance.now() - t0 > 60_000) throw new Error(`not healthy within 60 s${stderr ? `:\n${stderr.trim()}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const exited = exitCode !== undefined ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  // The server itself (npm's child) may outlive npm for a moment: wait until the port is free.
  for (let i = 0; i < 500; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      await new Promise((r) => setTimeout(r, 20));
    } catch {
      break;
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  return { wall, cpu };
}

const cases: Array<{ name: string; cmd: Command; fromSource: boolean }> = [
  { name: 'npm start, dist/', cmd: ['npm', 'start', '--silent'], fromSource: false },
  { name: 'node bin/ledgerline.js serve, dist/', cmd: [process.execPath, 'bin/ledgerline.js', 'serve'], fromSource: false },
  { name: 'node bin/ledgerline.js serve, sources (tsx)', cmd: [process.execPath, 'bin/ledgerline.js', 'serve'], fromSource: true },
];
const results = new Map(cases.map((c) => [c.name, [] as { wall: number; cpu: number }[]]));
const load: number[] = [];
const port = Number(process.env.PORT ?? 3108);
for (let i = 0; i < rounds; i++) {
  for (const c of cases) {
    load.push(loadavg()[0]!); // always the 1, 5 and 15 minute averages
    results.get(c.name)!.push(await once(c.cmd, c.fromSource, port));
  }
}
const med = (xs: number[]) => {
  const m = [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  if (m === undefined) throw new Error(`no rounds measured (rounds: ${process.argv[2]})`);
  return m;
};
console.log(`${rounds} rounds, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}`);
console.log('| start | wall to healthy, median (min–max) | CPU until healthy (server + npm + sandbox children), median |');
console.log('|---|---|---|');
for (const [name, rs] of results) {
  const w = rs.map((r) => r.wall);
  console.log(
    `| ${name} | ${Math.round(med(w))} ms (${Math.round(Math.min(...w))}–${Math.round(Math.max(...w))}) | ${Math.round(med(rs.map((r) => r.cpu)))} ms |`,
  );
}
