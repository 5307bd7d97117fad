// Starts a private trytond on loopback over a fresh copy of the snapshot, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRYTOND } from './packages.ts';
import { writeTrytondConf } from './snapshot.ts';

export interface TrytondProcess {
  url: string;
  database: string;
  port: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function serverAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Copies `snapshotFile` into a private directory and serves it as database `database`. */
export async function startTrytond(snapshotFile: string, database = 'ledgerline'): Promise<TrytondProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'trytond-'));
  mkdirSync(join(dir, 'db'));
  copyFileSync(snapshotFile, join(dir, 'db', `${database}.sqlite`));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = writeTrytondConf(dir, port);
    const logFile = join(dir, 'trytond.log');
    const fd = openSync(logFile, 'a');
    const child = spawn(TRYTOND, ['-c', conf, '-d', database], {
      stdio: ['ignore', fd, fd],
      detached: false,
    });
    closeSync(fd);
    const url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + 30_000;
    let up = false;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await serverAnswers(url)) {
        up = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (up) {
      let stopped = false;
      // A test process that dies without calling stop() must not leave trytond running.
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      return {
        url,
        database,
        port,
        pid: child.pid ?? 0,
        dir,
        async stop() {
          if (stopped) return;
          stopped = true;
          process.removeListener('exit', killOnExit);
          child.kill('SIGTERM');
          if (!(await waitExit(child, 5000))) {
            child.kill('SIGKILL');
            await waitExit(child, 2000);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    await waitExit(child, 2000);
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    // A port taken between freePort() and bind is the one expected race: retry on another port.
    if (attempt < 3 && /Address already in use/i.test(tail)) continue;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`trytond did not start on ${url}:\n${tail}`);
  }
}
