// Entry point of a sandbox child process (forked by pool.ts with --no-node-snapshot). It owns the isolates, so a
// V8 out-of-memory or crash in user code takes down only this process; the pool then replaces it.
// Several calls run at once, each in an isolate of its own on isolated-vm's threads: a call that spins until its
// deadline holds one isolate, not this process's event loop, so the calls behind it start at once.
import { IsolateSlot, type Envelope, type VarText } from './isolate-slot.ts';
import type { ChildReply, ChildRequest, WireVar } from './protocol.ts';

const maxOutputChars = Number(process.env.LEDGERLINE_SANDBOX_MAX_OUTPUT) || 10_000_000;
/** Calls running at once; the parent sends at most a few more, which wait here for a free isolate. */
const MAX_RUNNING = Math.max(1, Number(process.env.LEDGERLINE_SANDBOX_ISOLATES) || 4);
/** Idle isolates kept for reuse (per memory limit, most recently used last: it holds the freshest resident data). */
const idle = new Map<number, IsolateSlot[]>();
const MAX_IDLE = MAX_RUNNING;
let idleCount = 0;
const busy = new Set<IsolateSlot>();
let running = 0;
/** Resident data evicted while an isolate holding it was busy: dropped when it is free again. */
const forgetLater = new Map<IsolateSlot, number[]>();
const waiting: Array<[ChildRequest, VarText[]]> = [];
/** Last duration per source, in ms: code seen to finish this fast may run on this thread (see IsolateSlot.attempt). */
const lastMs = new Map<string, number>();
const QUICK_MS = 2;
const SYNC_BUDGET_MS = 10;
/** Resident JSON texts, by parent-assigned id; the parent decides what to keep (see pool.ts). */
const resident = new Map<number, string>();

async function take(memoryMb: number): Promise<IsolateSlot> {
  const list = idle.get(memoryMb);
  while (list?.length) {
    const slot = list.pop()!;
    idleCount--;
    if (!slot.worn) return slot;
    slot.dispose();
  }
  return IsolateSlot.create(memoryMb, maxOutputChars);
}

/**
 * Keeps one idle isolate ready per memory limit in use, built while this process has a free moment: a call that
 * arrives while others spin then starts at once instead of building an isolate on a starved CPU.
 */
let warming = false;
function warmSpare(memoryMb: number): void {
  if (warming || idle.get(memoryMb)?.length || running + 1 > MAX_RUNNING) return;
  warming = true;
  IsolateSlot.create(memoryMb, maxOutputChars).then(
    (slot) => {
      warming = false;
      release(slot);
    },
    () => {
      warming = false;
    },
  );
}

function release(slot: IsolateSlot): void {
  busy.delete(slot);
  const later = forgetLater.get(slot);
  forgetLater.delete(slot);
  if (slot.worn) {
    slot.dispose();
    return;
  }
  for (const id of later ?? []) slot.forgetData(id);
  let list = idle.get(slot.memoryMb);
  if (!list) idle.set(slot.memoryMb, (list = []));
  list.push(slot);
  idleCount++;
  // Bounded: the least recently used idle isolate (of any limit) goes first.
  while (idleCount > MAX_IDLE) {
    let victim: number | undefined;
    for (const [mb, l] of idle) if (l.length && mb !== slot.memoryMb) victim = mb;
    const l = idle.get(victim ?? slot.memoryMb)!;
    l.shift()!.dispose();
    idleCount--;
    if (l.length === 0) idle.delete(victim ?? slot.memoryMb);
  }
}

function texts(vars: WireVar[]): VarText[] {
  return vars.map((v) => {
    if (typeof v === 'string') return { text: v };
    if (v.text !== undefined) resident.set(v.ref, v.text);
    const text = resident.get(v.ref);
    if (text === undefined) throw new Error(`resident var ${v.ref} is unknown to this sandbox process`);
    return { text, ref: v.ref };
  });
}

// Replies produced in the same turn go out together (the pool sends requests the same way), which saves IPC
// wake-ups under load.
let outbox: ChildReply[] = [];
function send(reply: ChildReply): void {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(reply);
}
function flush(): void {
  if (outbox.length === 0) return;
  // The parent may have closed the pool while replies were pending: nobody is left to read them.
  if (process.connected) process.send?.(outbox);
  outbox = [];
}

function handle(req: ChildRequest): void {
  for (const id of req.evict ?? []) {
    resident.delete(id);
    for (const l of idle.values()) for (const slot of l) slot.forgetData(id);
    for (const slot of busy) forgetLater.set(slot, [...(forgetLater.get(slot) ?? []), id]);
  }
  // Resident texts are resolved on arrival: a later request may evict what this one refers to.
  let input: VarText[];
  try {
    input = texts(req.vars);
  } catch (e) {
    send({ t: 'err', seq: req.seq, error: { kind: 'crash', message: `sandbox host error: ${e instanceof Error ? e.message : String(e)}` } });
    return;
  }
  if (running >= MAX_RUNNING) waiting.push([req, input]);
  else void start(req, input);
}

async function start(req: ChildRequest, input: VarText[]): Promise<void> {
  running++;
  let slot: IsolateSlot | undefined;
  try {
    slot = await take(req.memoryMb);
    busy.add(slot);
    warmSpare(req.memoryMb);
    if (req.t === 'batch') {
      const key = req.expressions.join('\n');
      const t0 = performance.now();
      const json = await slot.batch(req.seq, req.expressions, req.names, input, req.timeoutMs, (lastMs.get(key) ?? Infinity) < QUICK_MS ? SYNC_BUDGET_MS : 0);
      lastMs.set(key, performance.now() - t0);
      send({ t: 'batch', seq: req.seq, json });
    } else {
      const t0 = performance.now();
      const quick = (lastMs.get(req.source) ?? Infinity) < QUICK_MS;
      const e: Envelope = await slot.run(req.seq, req.kind, req.source, req.names, input, req.timeoutMs, quick ? SYNC_BUDGET_MS : 0);
      if (lastMs.size > 5000) lastMs.clear();
      lastMs.set(req.source, performance.now() - t0);
      send(e.ok ? { t: 'ok', seq: req.seq, json: e.json } : { t: 'err', seq: req.seq, error: e.error });
    }
  } catch (e) {
    slot?.dispose();
    send({ t: 'err', seq: req.seq, error: { kind: 'crash', message: `sandbox host error: ${e instanceof Error ? e.message : String(e)}` } });
  }
  running--;
  if (slot) release(slot);
  const next = waiting.shift();
  if (next) void start(...next);
}

process.on('message', (reqs: ChildRequest[]) => {
  for (const req of reqs) handle(req);
});
// The parent went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
