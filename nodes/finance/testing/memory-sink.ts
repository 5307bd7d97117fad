// An ExceptionSink held in memory, faithful to the contract (aggregate by type + key, count, clear = auto-resolve),
// for tests of nodes that raise exceptions without the full inbox store.
import type { ExceptionSink, ExceptionType, RaiseException } from '../../../runtime/node-api.ts';

export interface HeldException extends RaiseException {
  id: string;
  count: number;
  state: 'open' | 'resolved';
  note?: string;
}

export class MemorySink implements ExceptionSink {
  readonly all = new Map<string, HeldException>();
  private seq = 0;
  /** Present with `listsOpenKeys`, as the inbox's sink has it: callers then check only the keys it lists. */
  readonly openKeys?: (type: ExceptionType, prefix?: string) => Promise<string[]>;

  constructor(o: { listsOpenKeys?: boolean } = {}) {
    if (o.listsOpenKeys)
      this.openKeys = async (type, prefix = '') =>
        this.open()
          .filter((x) => x.type === type && x.key.startsWith(prefix))
          .map((x) => x.key);
  }

  async raise(e: RaiseException) {
    const k = `${e.type}\u0000${e.key}`;
    const prev = this.all.get(k);
    if (prev && prev.state === 'open') {
      Object.assign(prev, { ...e, id: prev.id, count: prev.count + 1, state: 'open' });
      return { id: prev.id, count: prev.count, isNew: false };
    }
    const held: HeldException = { ...e, id: `ex-${++this.seq}`, count: 1, state: 'open' };
    this.all.set(k, held);
    return { id: held.id, count: 1, isNew: true };
  }

  async clear(type: ExceptionType, key: string, note?: string): Promise<boolean> {
    const x = this.all.get(`${type}\u0000${key}`);
    if (x?.state !== 'open') return false;
    x.state = 'resolved';
    x.note = note;
    return true;
  }

  open(): HeldException[] {
    return [...this.all.values()].filter((x) => x.state === 'open');
  }
}
