// Entry point of a sandbox child process (forked by pool.ts with --no-node-snapshot). It owns the isolates, so a
// V8 out-of-memory or crash in user code takes down only this process; the pool then replaces it.
import { IsolateSlot, type VarText } from './isolate-slot.ts';
import type { ChildReply, ChildRequest, WireVar } from './protocol.ts';

const maxOutputChars = Number(process.env.LEDGERLINE_SANDBOX_MAX_OUTPUT) || 10_000_000;
const slots = new Map<number, IsolateSlot>();
/** Resident JSON texts, by parent-assigned id; the parent decides what to keep (see pool.ts). */
const resident = new Map<number, string>();

function slotFor(memoryMb: number): IsolateSlot {
  let slot = slots.get(memoryMb);
  if (slot?.worn) {
    slot.dispose();
    slot = undefined;
  }
  if (!slot) {
    slot = new IsolateSlot(memoryMb, maxOutputChars);
    slots.set(memoryMb, slot);
  }
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

// Replies produced in the same turn travel together, like the requests that caused them (see pool.ts);
// one that waited more than a few ms behind slower work is sent at once.
let outbox: ChildReply[] = [];
let outboxSince = 0;
function send(reply: ChildReply): void {
  if (outbox.length === 0) {
    outboxSince = Date.now();
    setImmediate(flush);
  }
  outbox.push(reply);
  if (Date.now() - outboxSince > 2) flush();
}
function flush(): void {
  if (outbox.length === 0) return;
  process.send?.(outbox);
  outbox = [];
}

async function handle(req: ChildRequest): Promise<void> {
  for (const id of req.evict ?? []) {
    resident.delete(id);
    for (const slot of slots.values()) slot.forgetData(id);
  }
  try {
    const input = texts(req.vars);
    const slot = slotFor(req.memoryMb);
    if (req.t === 'batch') {
      send({ t: 'batch', seq: req.seq, json: slot.batch(req.seq, req.expressions, req.names, input, req.timeoutMs) });
      return;
    }
    const r = await slot.run(req.seq, req.kind, req.source, req.names, input, req.timeoutMs);
    send(r.ok ? { t: 'ok', seq: req.seq, json: r.json } : { t: 'err', seq: req.seq, error: r.error });
  } catch (e) {
    send({ t: 'err', seq: req.seq, error: { kind: 'crash', message: `sandbox host error: ${e instanceof Error ? e.message : String(e)}` } });
  }
}

process.on('message', (reqs: ChildRequest[]) => {
  for (const req of reqs) void handle(req);
});
// The parent went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
