// Entry point of a sandbox child process (forked by pool.ts with --no-node-snapshot). It owns the isolates, so a
// V8 out-of-memory or crash in user code takes down only this process; the pool then replaces it.
import { IsolateSlot, type Envelope, type VarText } from './isolate-slot.ts';
import type { ChildReply, ChildRequest, WireVar } from './protocol.ts';

const maxOutputChars = Number(process.env.LEDGERLINE_SANDBOX_MAX_OUTPUT) || 10_000_000;
const slots = new Map<number, IsolateSlot>();
const MAX_SLOTS = 4;
/** Resident JSON texts, by parent-assigned id; the parent decides what to keep (see pool.ts). */
const resident = new Map<number, string>();

function slotFor(memoryMb: number): IsolateSlot {
  let slot = slots.get(memoryMb);
  if (slot?.worn) {
    slot.dispose();
    slot = undefined;
  }
  if (!slot) {
    // One isolate per distinct memory limit; a few limits are normal, many would each hold an idle isolate.
    if (slots.size >= MAX_SLOTS) {
      const [oldest, old] = slots.entries().next().value as [number, IsolateSlot];
      old.dispose();
      slots.delete(oldest);
    }
    slot = new IsolateSlot(memoryMb, maxOutputChars);
  } else {
    slots.delete(memoryMb); // re-inserted below: most recently used last
  }
  slots.set(memoryMb, slot);
  return slot;
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

// Replies go out together when they were produced together (the pool sends requests the same way), which
// saves IPC wake-ups under load. Before a request that may be slow, whatever is ready goes out first, so a
// finished call never waits behind another call's work.
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
/** Last synchronous duration per source, in ms: only calls known to be quick are allowed to hold replies. */
const lastMs = new Map<string, number>();
const QUICK_MS = 1;
const keyOf = (req: ChildRequest) => (req.t === 'run' ? req.source : req.expressions.join('\n'));

function handle(req: ChildRequest): void {
  for (const id of req.evict ?? []) {
    resident.delete(id);
    for (const slot of slots.values()) slot.forgetData(id);
  }
  const key = keyOf(req);
  if (!((lastMs.get(key) ?? Infinity) < QUICK_MS)) flush();
  const t0 = performance.now();
  try {
    const input = texts(req.vars);
    const slot = slotFor(req.memoryMb);
    if (req.t === 'batch') {
      send({ t: 'batch', seq: req.seq, json: slot.batch(req.seq, req.expressions, req.names, input, req.timeoutMs) });
    } else {
      const r = slot.run(req.seq, req.kind, req.source, req.names, input, req.timeoutMs);
      const reply = (e: Envelope) => send(e.ok ? { t: 'ok', seq: req.seq, json: e.json } : { t: 'err', seq: req.seq, error: e.error });
      if (r instanceof Promise) void r.then(reply);
      else reply(r);
    }
  } catch (e) {
    send({ t: 'err', seq: req.seq, error: { kind: 'crash', message: `sandbox host error: ${e instanceof Error ? e.message : String(e)}` } });
  }
  if (lastMs.size > 5000) lastMs.clear();
  lastMs.set(key, performance.now() - t0);
}

process.on('message', (reqs: ChildRequest[]) => {
  for (const req of reqs) handle(req);
});
// The parent went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
