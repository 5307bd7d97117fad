// The parent side: lanes of child hosts, dispatch with bounded in-flight calls per child, growth under load,
// crash handling, and resident data (a JsonText sent once per child, later referenced by id).
//
// Lanes keep slow code from delaying quick code: calls allowed to run longer than `longCallMs` go to their own
// processes, and a call whose code and input already killed a process once is retried alone in a quarantine
// process, so a second crash is its own (and is then permanent) rather than a bystander's.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { JsonText, SandboxError, type Sandbox, type SandboxCall, type SandboxResult } from './types.ts';
import type { BatchRequest, ChildReply, ChildRequest, RunRequest, WireError, WireVar } from './protocol.ts';
import { checkVarNames, lazyResult, toSandboxError, varText } from './wire.ts';

export interface SandboxOptions {
  /** Child processes hosting quick calls, started at once (default 2). */
  processes?: number;
  /** Under load the quick lane grows up to this many processes (default processes + 2); idle extras retire. */
  maxProcesses?: number;
  /** Calls with a timeout above this many ms run in the long lane, apart from quick calls (default 2000). */
  longCallMs?: number;
  /** Processes the long lane may start, on demand (default 2). */
  longProcesses?: number;
  /** Calls one process runs at once, each in its own isolate on its own thread (default 4). */
  isolatesPerProcess?: number;
  defaultTimeoutMs?: number;
  defaultMemoryMb?: number;
  /** Longest JSON text a call may return (default 10,000,000 characters). */
  maxOutputChars?: number;
  /** Calls queued on one child at a time; the rest wait in the parent (default 16). */
  maxInFlightPerProcess?: number;
  /** An extra process idle this long retires (default 20,000 ms). */
  idleRetireMs?: number;
}

type BatchEntry = { ok: true; value: unknown } | { ok: false; error: SandboxError };
interface Pending {
  nodeId: string;
  timeoutMs: number;
  /** Digest of code + input: the same pair crashing a process twice is the code's fault, not bad luck. */
  fingerprint: string;
  resolve(v: SandboxResult | BatchEntry[]): void;
  reject(e: SandboxError): void;
}
type LaneName = 'quick' | 'long' | 'quarantine';
interface Lane {
  name: LaneName;
  children: Child[];
  queue: Queued[];
  min: number;
  max: number;
  maxInFlight: number;
}
interface Child {
  lane: Lane;
  proc: ChildProcess;
  ready: boolean;
  /** Killed by the watchdog or retiring; takes no new calls while its exit is on the way. */
  dying: boolean;
  retiring: boolean;
  inflight: Map<number, Pending>;
  /** Resident text ids this child holds, oldest first, with their sizes. */
  resident: Map<number, number>;
  residentChars: number;
  watchdog?: NodeJS.Timeout;
  retire?: NodeJS.Timeout;
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
/** Fingerprints of calls that were in flight when a process died, remembered for the next attempt. */
const CRASH_MEMORY = 1000;

const residentIds = new WeakMap<JsonText, number>();
const textDigests = new WeakMap<JsonText, string>();
let nextResidentId = 1;
function residentId(v: JsonText): number {
  let id = residentIds.get(v);
  if (id === undefined) residentIds.set(v, (id = nextResidentId++));
  return id;
}
const digest = (text: string) => createHash('sha1').update(text).digest('base64');
function jsonTextDigest(v: JsonText): string {
  let d = textDigests.get(v);
  if (d === undefined) textDigests.set(v, (d = digest(v.text)));
  return d;
}

export class SandboxPool implements Sandbox {
  private readonly lanes: Record<LaneName, Lane>;
  private readonly opts: Required<SandboxOptions>;
  private readonly crashes = new Map<string, number>();
  private seq = 0;
  private closed = false;
  private active = true;
  private pumpScheduled = false;
  private earlyDeaths = 0;

  constructor(opts: SandboxOptions = {}) {
    const processes = opts.processes ?? 2;
    this.opts = {
      processes,
      maxProcesses: Math.max(processes, opts.maxProcesses ?? processes + 2),
      longCallMs: opts.longCallMs ?? 2000,
      longProcesses: Math.max(1, opts.longProcesses ?? 2),
      isolatesPerProcess: Math.max(1, opts.isolatesPerProcess ?? 4),
      defaultTimeoutMs: opts.defaultTimeoutMs ?? 1000,
      defaultMemoryMb: opts.defaultMemoryMb ?? 64,
      maxOutputChars: opts.maxOutputChars ?? 10_000_000,
      maxInFlightPerProcess: opts.maxInFlightPerProcess ?? 16,
      idleRetireMs: opts.idleRetireMs ?? 20_000,
    };
    const lane = (name: LaneName, min: number, max: number, maxInFlight: number): Lane => ({ name, children: [], queue: [], min, max, maxInFlight });
    this.lanes = {
      quick: lane('quick', processes, this.opts.maxProcesses, this.opts.maxInFlightPerProcess),
      long: lane('long', 0, this.opts.longProcesses, this.opts.maxInFlightPerProcess),
      quarantine: lane('quarantine', 0, 1, 1),
    };
    for (let i = 0; i < processes; i++) this.lanes.quick.children.push(this.spawn(this.lanes.quick));
    this.setActive(false);
  }

  private allChildren(): Child[] {
    return [...this.lanes.quick.children, ...this.lanes.long.children, ...this.lanes.quarantine.children];
  }

  /** Process ids of the current children, the quick lane's first (for tests and operations). */
  pids(): number[] {
    return this.allChildren().map((c) => c.proc.pid ?? -1);
  }

  /** Per child: its lane, calls in flight and the resident data it holds (for tests and operations). */
  stats(): Array<{ pid: number; lane: LaneName; inflight: number; residentTexts: number; residentChars: number }> {
    return this.allChildren().map((c) => ({
      pid: c.proc.pid ?? -1,
      lane: c.lane.name,
      inflight: c.inflight.size,
      residentTexts: c.resident.size,
      residentChars: c.residentChars,
    }));
  }

  run(call: SandboxCall): Promise<SandboxResult> {
    return this.submit(
      call,
      call.kind + '\0' + call.source,
      (base) => ({ ...base, t: 'run', kind: call.kind, source: call.source }) as RunRequest,
    ) as Promise<SandboxResult>;
  }

  runBatch(call: Omit<SandboxCall, 'source' | 'kind'> & { expressions: string[] }): Promise<BatchEntry[]> {
    if (call.expressions.length === 0) return Promise.resolve([]);
    return this.submit(
      call,
      'batch\0' + call.expressions.join('\0'),
      (base) => ({ ...base, t: 'batch', expressions: call.expressions }) as BatchRequest,
    ) as Promise<BatchEntry[]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const lane of Object.values(this.lanes)) {
      for (const q of lane.queue.splice(0))
        q.pending.reject(new SandboxError(`${q.pending.nodeId}: the sandbox was closed`, { nodeId: q.pending.nodeId, kind: 'crash' }));
    }
    await Promise.all(
      this.allChildren().map(
        (c) =>
          new Promise<void>((resolve) => {
            clearTimeout(c.retire);
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
          }),
      ),
    );
  }

  private submit(
    call: Omit<SandboxCall, 'source' | 'kind'>,
    code: string,
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
      const h = createHash('sha1')
        .update(code)
        .update('\0' + memoryMb + '\0' + names.join(','));
      for (const v of values) h.update('\0').update(v instanceof JsonText ? jsonTextDigest(v) : digest(v as string));
      const fingerprint = h.digest('base64');
      const pending: Pending = { nodeId, timeoutMs, fingerprint, resolve, reject };
      const refs = values.flatMap((v) => (v instanceof JsonText && v.text.length >= RESIDENT_MIN_CHARS ? [residentId(v)] : []));
      const build = (child: Child): ChildRequest => {
        const evict: number[] = [];
        const vars = values.map((v) => this.wireVar(child, v, evict));
        return finish({ seq: ++this.seq, names, vars, timeoutMs, memoryMb, evict: evict.length ? evict : undefined });
      };
      const lane = this.crashes.has(fingerprint) ? this.lanes.quarantine : timeoutMs > this.opts.longCallMs ? this.lanes.long : this.lanes.quick;
      lane.queue.push({ build, pending, refs });
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
    for (const lane of Object.values(this.lanes)) this.pumpLane(lane, out);
    for (const [child, reqs] of out) child.proc.send(reqs);
    const idle = Object.values(this.lanes).every((l) => l.queue.length === 0) && this.allChildren().every((c) => c.inflight.size === 0);
    if (idle) this.setActive(false);
  }

  private pumpLane(lane: Lane, out: Map<Child, ChildRequest[]>): void {
    const open = (c: Child) => c.ready && !c.dying && !c.retiring && c.inflight.size < lane.maxInFlight;
    // A child with an idle isolate starts the call at once. Only when the lane cannot grow do calls queue inside
    // busy children (that saves IPC round trips under load, but a call there waits for one of its calls to end).
    const canGrow = () => lane.children.filter((c) => !c.dying && !c.retiring).length < lane.max;
    while (lane.queue.length) {
      let best: Child | undefined;
      for (const c of lane.children) {
        if (open(c) && c.inflight.size < this.opts.isolatesPerProcess && (!best || c.inflight.size < best.inflight.size)) best = c;
      }
      if (!best && !canGrow()) {
        for (const c of lane.children) {
          if (open(c) && (!best || c.inflight.size < best.inflight.size)) best = c;
        }
      }
      if (!best) break;
      const q = lane.queue.shift()!;
      // Affinity: a child that already holds the call's data gets it unless it is clearly busier.
      if (q.refs.length && !q.refs.some((id) => best!.resident.has(id))) {
        const cap = Math.max(best.inflight.size + 1, this.opts.isolatesPerProcess);
        const holder = lane.children.find(
          (c) => open(c) && c.inflight.size < cap && c.inflight.size <= best!.inflight.size + 2 && q.refs.some((id) => c.resident.has(id)),
        );
        if (holder) best = holder;
      }
      const req = q.build(best);
      best.inflight.set(req.seq, q.pending);
      clearTimeout(best.retire);
      if (best.inflight.size === 1) this.armWatchdog(best);
      const list = out.get(best);
      if (list) list.push(req);
      else out.set(best, [req]);
    }
    this.grow(lane);
  }

  /**
   * One more process when calls wait in the parent (every isolate of the lane is busy), one start at a time, up
   * to the lane's limit.
   */
  private grow(lane: Lane): void {
    if (this.closed || this.earlyDeaths >= 3 || lane.queue.length === 0) return;
    const live = lane.children.filter((c) => !c.dying && !c.retiring);
    if (live.length < lane.max && !live.some((c) => !c.ready)) lane.children.push(this.spawn(lane));
  }

  private spawn(lane: Lane): Child {
    const proc = fork(CHILD_ENTRY, [], {
      cwd: PROJECT_ROOT,
      execArgv: CHILD_EXEC_ARGV,
      serialization: 'advanced',
      // No secrets for the sandbox process to leak even if something escaped the isolate.
      env: {
        LEDGERLINE_SANDBOX_MAX_OUTPUT: String(this.opts.maxOutputChars),
        LEDGERLINE_SANDBOX_ISOLATES: String(lane.name === 'quarantine' ? 1 : this.opts.isolatesPerProcess),
        PATH: process.env.PATH ?? '',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // Long-running code yields the CPU to quick calls (2 cores shared by every lane's threads).
    if (lane.name === 'long' && proc.pid) {
      try {
        setPriority(proc.pid, 10);
      } catch {
        // not permitted here: the lanes still keep their queues apart
      }
    }
    const child: Child = { lane, proc, ready: false, dying: false, retiring: false, inflight: new Map(), resident: new Map(), residentChars: 0 };
    proc.on('message', (replies: ChildReply[]) => {
      for (const m of replies) this.onReply(child, m);
      if (child.inflight.size === 0) this.scheduleRetire(child);
      this.schedulePump();
    });
    proc.on('exit', (code, signal) => this.onExit(child, code, signal));
    proc.on('error', () => proc.kill('SIGKILL'));
    this.refChild(child);
    return child;
  }

  /** Processes beyond the lane's standing count leave after a quiet spell (bounded growth goes both ways). */
  private scheduleRetire(child: Child): void {
    const lane = child.lane;
    clearTimeout(child.retire);
    if (this.closed || lane.children.length <= lane.min) return;
    child.retire = setTimeout(() => {
      if (child.inflight.size > 0 || lane.children.length <= lane.min || this.closed) return;
      child.retiring = true;
      const i = lane.children.indexOf(child);
      if (i >= 0) lane.children.splice(i, 1);
      if (child.proc.connected) child.proc.disconnect();
      else child.proc.kill('SIGKILL');
    }, this.opts.idleRetireMs);
    child.retire.unref();
  }

  private onReply(child: Child, m: ChildReply): void {
    if (m.t === 'ready') {
      child.ready = true;
      this.scheduleRetire(child);
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
    for (const c of this.allChildren()) this.refChild(c);
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
    clearTimeout(child.retire);
    const lane = child.lane;
    const i = lane.children.indexOf(child);
    if (i >= 0) lane.children.splice(i, 1);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    for (const p of child.inflight.values()) p.reject(this.crashError(p, how));
    child.inflight.clear();
    if (this.closed || child.retiring) return;
    // A process that dies before it is ready will likely do so again (broken install): after a few in a row, fail
    // the waiting calls instead of leaving them queued, and retry more slowly.
    this.earlyDeaths = child.ready ? 0 : this.earlyDeaths + 1;
    if (this.earlyDeaths >= 3) {
      for (const l of Object.values(this.lanes)) {
        for (const q of l.queue.splice(0))
          q.pending.reject(toSandboxError(q.pending.nodeId, { kind: 'crash', message: `the sandbox process cannot start (${how})` }));
      }
    }
    const respawn = () => {
      if (this.closed) return;
      if (lane.children.length < lane.min || lane.queue.length > 0) lane.children.push(this.spawn(lane));
      this.pump();
    };
    if (this.earlyDeaths >= 3) setTimeout(respawn, 1000).unref();
    else respawn();
  }

  /**
   * A death is blamed on no call the first time (every call in flight may retry; the suspect ones do so alone,
   * in quarantine). The same code and input killing a process a second time is permanent: retrying only kills
   * more processes.
   */
  private crashError(p: Pending, how: string): SandboxError {
    const seen = (this.crashes.get(p.fingerprint) ?? 0) + 1;
    this.crashes.delete(p.fingerprint);
    if (seen < 2) {
      this.crashes.set(p.fingerprint, seen);
      if (this.crashes.size > CRASH_MEMORY) this.crashes.delete(this.crashes.keys().next().value as string);
      return toSandboxError(p.nodeId, { kind: 'crash', message: `the sandbox process died (${how}) while running this code` });
    }
    const e = toSandboxError(p.nodeId, {
      kind: 'crash',
      message: `the sandbox process died (${how}) while running this code, for the second time with the same code and input (the retry ran alone in a process of its own): the code itself brings the process down, most likely by allocating faster or larger than its memory limit can stop, so it is not retried; reduce what it builds or raise the node's memoryMb`,
    });
    return new SandboxError(e.message, { nodeId: e.nodeId, kind: 'crash', permanent: true });
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
        oldest[1].reject(
          toSandboxError(oldest[1].nodeId, {
            kind: 'timeout',
            message: `the code did not finish within ${oldest[1].timeoutMs} ms and its sandbox process stopped answering; it was killed`,
          }),
        );
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
