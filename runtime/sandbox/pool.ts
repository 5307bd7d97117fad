// The parent side: a pool of child hosts, dispatch with bounded in-flight calls per child, crash handling, and
// resident data (a JsonText sent once per child, later referenced by id).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JsonText, SandboxError, type Sandbox, type SandboxCall, type SandboxResult } from './types.ts';
import type { BatchRequest, ChildReply, ChildRequest, RunRequest, WireError, WireVar } from './protocol.ts';
import { checkVarNames, lazyResult, toSandboxError, varText } from './wire.ts';

export interface SandboxOptions {
  /** Child processes hosting isolates (default 2). */
  processes?: number;
  defaultTimeoutMs?: number;
  defaultMemoryMb?: number;
  /** Longest JSON text a call may return (default 10,000,000 characters). */
  maxOutputChars?: number;
  /** Calls queued on one child at a time; the rest wait in the parent (default 16). */
  maxInFlightPerProcess?: number;
}

type BatchEntry = { ok: true; value: unknown } | { ok: false; error: SandboxError };
interface Pending {
  nodeId: string;
  timeoutMs: number;
  resolve(v: SandboxResult | BatchEntry[]): void;
  reject(e: SandboxError): void;
}
interface Child {
  proc: ChildProcess;
  ready: boolean;
  /** Killed by the watchdog; takes no new calls while its exit is on the way. */
  dying: boolean;
  inflight: Map<number, Pending>;
  /** Resident text ids this child holds, oldest first, with their sizes. */
  resident: Map<number, number>;
  residentChars: number;
  watchdog?: NodeJS.Timeout;
}
interface Queued {
  build(child: Child): ChildRequest;
  pending: Pending;
  /** Resident ids among the call's vars: the call prefers a child that already holds them. */
  refs: number[];
}

// Compiled (dist/), the child runs compiled too; from the sources it needs tsx's loader.
const COMPILED = import.meta.url.endsWith('.js');
const CHILD_ENTRY = fileURLToPath(new URL(COMPILED ? './child-host.js' : './child-host.ts', import.meta.url));
const CHILD_EXEC_ARGV = COMPILED ? ['--no-node-snapshot'] : ['--no-node-snapshot', '--import', 'tsx'];
const PROJECT_ROOT = fileURLToPath(new URL(COMPILED ? '../../../' : '../../', import.meta.url));
/** JsonText shorter than this is just sent; longer ones become resident in the child that received them. */
const RESIDENT_MIN_CHARS = 2048;
const RESIDENT_BUDGET_CHARS = 16_000_000;
/** Extra time the child gets beyond a call's own limit (compiling, queueing) before it is presumed stuck. */
const WATCHDOG_GRACE_MS = 3000;

const residentIds = new WeakMap<JsonText, number>();
let nextResidentId = 1;
function residentId(v: JsonText): number {
  let id = residentIds.get(v);
  if (id === undefined) residentIds.set(v, (id = nextResidentId++));
  return id;
}

export class SandboxPool implements Sandbox {
  private readonly children: Child[] = [];
  private readonly queue: Queued[] = [];
  private readonly opts: Required<SandboxOptions>;
  private seq = 0;
  private closed = false;
  private active = true;
  private pumpScheduled = false;
  private earlyDeaths = 0;

  constructor(opts: SandboxOptions = {}) {
    this.opts = {
      processes: opts.processes ?? 2,
      defaultTimeoutMs: opts.defaultTimeoutMs ?? 1000,
      defaultMemoryMb: opts.defaultMemoryMb ?? 64,
      maxOutputChars: opts.maxOutputChars ?? 10_000_000,
      maxInFlightPerProcess: opts.maxInFlightPerProcess ?? 16,
    };
    for (let i = 0; i < this.opts.processes; i++) this.children.push(this.spawn());
    this.setActive(false);
  }

  /** Process ids of the current children (for tests and operations). */
  pids(): number[] {
    return this.children.map((c) => c.proc.pid ?? -1);
  }

  /** Per child: calls in flight and the resident data it holds (for tests and operations). */
  stats(): Array<{ pid: number; inflight: number; residentTexts: number; residentChars: number }> {
    return this.children.map((c) => ({ pid: c.proc.pid ?? -1, inflight: c.inflight.size, residentTexts: c.resident.size, residentChars: c.residentChars }));
  }

  run(call: SandboxCall): Promise<SandboxResult> {
    return this.submit(call, (base) => ({ ...base, t: 'run', kind: call.kind, source: call.source }) as RunRequest) as Promise<SandboxResult>;
  }

  runBatch(call: Omit<SandboxCall, 'source' | 'kind'> & { expressions: string[] }): Promise<BatchEntry[]> {
    if (call.expressions.length === 0) return Promise.resolve([]);
    return this.submit(call, (base) => ({ ...base, t: 'batch', expressions: call.expressions }) as BatchRequest) as Promise<BatchEntry[]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.pending.reject(new SandboxError(`${q.pending.nodeId}: the sandbox was closed`, { nodeId: q.pending.nodeId, kind: 'crash' }));
    await Promise.all(this.children.map((c) => new Promise<void>((resolve) => {
      if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
      // Disconnecting lets the child exit on its own; one stuck in user code is killed after a moment.
      const kill = setTimeout(() => c.proc.kill('SIGKILL'), 500);
      c.proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      // An unref'd child would let the loop end before its exit is seen, leaving this promise unsettled.
      c.proc.ref();
      if (c.proc.connected) c.proc.disconnect();
      else c.proc.kill('SIGKILL');
    })));
  }

  private submit(
    call: Omit<SandboxCall, 'source' | 'kind'>,
    finish: (base: Omit<RunRequest, 't' | 'kind' | 'source'>) => ChildRequest,
  ): Promise<SandboxResult | BatchEntry[]> {
    const nodeId = call.nodeId;
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new SandboxError(`${nodeId}: the sandbox is closed`, { nodeId, kind: 'crash' }));
      const timeoutMs = call.timeoutMs ?? this.opts.defaultTimeoutMs;
      const memoryMb = call.memoryMb ?? this.opts.defaultMemoryMb;
      let names: string[];
      let values: unknown[];
      try {
        names = Object.keys(call.vars);
        checkVarNames(nodeId, names);
        if (!(timeoutMs > 0)) throw new SandboxError(`${nodeId}: timeoutMs must be a positive number`, { nodeId, kind: 'runtime' });
        if (!(memoryMb >= 8)) throw new SandboxError(`${nodeId}: memoryMb must be at least 8`, { nodeId, kind: 'runtime' });
        values = names.map((n) => (call.vars[n] instanceof JsonText ? call.vars[n] : varText(nodeId, n, call.vars[n])));
      } catch (e) {
        return reject(e);
      }
      const pending: Pending = { nodeId, timeoutMs, resolve, reject };
      const refs = values.flatMap((v) => (v instanceof JsonText && v.text.length >= RESIDENT_MIN_CHARS ? [residentId(v)] : []));
      const build = (child: Child): ChildRequest => {
        const evict: number[] = [];
        const vars = values.map((v) => this.wireVar(child, v, evict));
        return finish({ seq: ++this.seq, names, vars, timeoutMs, memoryMb, evict: evict.length ? evict : undefined });
      };
      this.queue.push({ build, pending, refs });
      this.setActive(true);
      this.schedulePump();
    });
  }

  private wireVar(child: Child, v: unknown, evict: number[]): WireVar {
    if (!(v instanceof JsonText)) return v as string;
    if (v.text.length < RESIDENT_MIN_CHARS) return v.text;
    const id = residentId(v);
    if (child.resident.has(id)) {
      child.resident.delete(id); // re-insert: most recently used last
      child.resident.set(id, v.text.length);
      return { ref: id };
    }
    child.resident.set(id, v.text.length);
    child.residentChars += v.text.length;
    for (const [old, size] of child.resident) {
      if (child.residentChars <= RESIDENT_BUDGET_CHARS || old === id) break;
      child.resident.delete(old);
      child.residentChars -= size;
      evict.push(old);
    }
    return { ref: id, text: v.text };
  }

  /** Calls submitted in the same turn (e.g. by continuations of the calls just answered) go out together. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Hands queued calls to children; all the calls one child gets in this turn travel in one IPC message. */
  private pump(): void {
    const out = new Map<Child, ChildRequest[]>();
    while (this.queue.length) {
      let best: Child | undefined;
      for (const c of this.children) {
        if (!c.ready || c.dying || c.inflight.size >= this.opts.maxInFlightPerProcess) continue;
        if (!best || c.inflight.size < best.inflight.size) best = c;
      }
      if (!best) break;
      const q = this.queue.shift()!;
      // Affinity: a child that already holds the call's data gets it unless it is clearly busier.
      if (q.refs.length && !q.refs.some((id) => best!.resident.has(id))) {
        const holder = this.children.find((c) => c.ready && !c.dying && c.inflight.size < this.opts.maxInFlightPerProcess
          && c.inflight.size <= best!.inflight.size + 2 && q.refs.some((id) => c.resident.has(id)));
        if (holder) best = holder;
      }
      const req = q.build(best);
      best.inflight.set(req.seq, q.pending);
      if (best.inflight.size === 1) this.armWatchdog(best);
      const list = out.get(best);
      if (list) list.push(req);
      else out.set(best, [req]);
    }
    for (const [child, reqs] of out) child.proc.send(reqs);
    if (this.queue.length === 0 && this.children.every((c) => c.inflight.size === 0)) this.setActive(false);
  }

  private spawn(): Child {
    const proc = fork(CHILD_ENTRY, [], {
      cwd: PROJECT_ROOT,
      execArgv: CHILD_EXEC_ARGV,
      serialization: 'advanced',
      // No secrets for the sandbox process to leak even if something escaped the isolate.
      env: { LEDGERLINE_SANDBOX_MAX_OUTPUT: String(this.opts.maxOutputChars), PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child: Child = { proc, ready: false, dying: false, inflight: new Map(), resident: new Map(), residentChars: 0 };
    proc.on('message', (replies: ChildReply[]) => {
      for (const m of replies) this.onReply(child, m);
      this.schedulePump();
    });
    proc.on('exit', (code, signal) => this.onExit(child, code, signal));
    proc.on('error', () => proc.kill('SIGKILL'));
    this.refChild(child);
    return child;
  }

  private onReply(child: Child, m: ChildReply): void {
    if (m.t === 'ready') {
      child.ready = true;
      return;
    }
    const p = child.inflight.get(m.seq);
    if (!p) return;
    child.inflight.delete(m.seq);
    this.armWatchdog(child);
    if (m.t === 'ok') p.resolve(lazyResult(m.json));
    else if (m.t === 'err') p.reject(toSandboxError(p.nodeId, m.error));
    else p.resolve(parseBatch(p.nodeId, m.json));
  }

  /** Children keep the parent alive only while calls are queued or running (a forgotten close() cannot hang it). */
  private setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    for (const c of this.children) this.refChild(c);
  }

  private refChild(c: Child): void {
    if (this.active) {
      c.proc.ref();
      c.proc.channel?.ref();
    } else {
      c.proc.unref();
      c.proc.channel?.unref();
    }
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(child.watchdog);
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    for (const p of child.inflight.values()) {
      p.reject(toSandboxError(p.nodeId, { kind: 'crash', message: `the sandbox process died (${how}) while running this code` }));
    }
    child.inflight.clear();
    if (this.closed) return;
    // A process that dies before it is ready will likely do so again (broken install): after a few in a row, fail
    // the waiting calls instead of leaving them queued, and retry more slowly.
    this.earlyDeaths = child.ready ? 0 : this.earlyDeaths + 1;
    if (this.earlyDeaths >= 3) {
      for (const q of this.queue.splice(0)) q.pending.reject(toSandboxError(q.pending.nodeId, { kind: 'crash', message: `the sandbox process cannot start (${how})` }));
    }
    const respawn = () => {
      if (this.closed) return;
      this.children.push(this.spawn());
      this.pump();
    };
    if (this.earlyDeaths >= 3) setTimeout(respawn, 1000).unref();
    else respawn();
  }

  /** A child that stops answering for longer than any of its calls may take is stuck: kill it. */
  private armWatchdog(child: Child): void {
    clearTimeout(child.watchdog);
    if (child.inflight.size === 0) return;
    let longest = 0;
    for (const p of child.inflight.values()) longest = Math.max(longest, p.timeoutMs);
    child.watchdog = setTimeout(() => {
      const oldest = child.inflight.entries().next().value as [number, Pending] | undefined;
      if (oldest) {
        child.inflight.delete(oldest[0]);
        oldest[1].reject(toSandboxError(oldest[1].nodeId, { kind: 'timeout', message: `the code did not finish within ${oldest[1].timeoutMs} ms and its sandbox process stopped answering; it was killed` }));
      }
      child.dying = true;
      child.proc.kill('SIGKILL');
    }, longest + WATCHDOG_GRACE_MS);
    child.watchdog.unref();
  }
}

function parseBatch(nodeId: string, json: string): BatchEntry[] {
  const entries = JSON.parse(json) as Array<{ ok: true; v: unknown } | { ok: false; e: WireError }>;
  return entries.map((e, i) => (e.ok ? { ok: true, value: e.v } : { ok: false, error: toSandboxError(nodeId, e.e, `expression #${i + 1}`) }));
}
