// Who is inside the open transaction, known by async context, across transactions: the context is turned off between
// them (tx-gate.ts says why), so a continuation made in one transaction, or between two, must not pass as inside the
// next (its statements would join another's transaction).
import { describe, expect, it } from 'vitest';
import { TxGate } from './tx-gate.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('TxGate', () => {
  it('lets the open transaction in, however deep its awaits, and keeps everyone else waiting until it ends', async () => {
    const gate = new TxGate();
    const seen: string[] = [];
    let release!: () => void;
    const held = gate.hold(async () => {
      await tick();
      seen.push(`inside:${gate.inside()}`);
      await new Promise<void>((r) => setTimeout(r, 5));
      seen.push(`outside() inside: ${gate.outside() === undefined}`);
      await new Promise<void>((r) => (release = r));
    });
    await tick();
    const waiting = gate.outside();
    expect(waiting).toBeInstanceOf(Promise);
    let passed = false;
    void waiting!.then(() => (passed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(passed).toBe(false);
    release();
    await held;
    await tick();
    expect(passed).toBe(true);
    expect(seen).toEqual(['inside:true', 'outside() inside: true']);
    expect(gate.inside()).toBe(false);
  });

  it('a continuation made in one transaction, or between two, that runs during the next is not inside it', async () => {
    const gate = new TxGate();
    let fromFirst!: Promise<boolean | 'waited'>;
    let go!: () => void;
    const gateOpen = new Promise<void>((r) => (go = r));
    // Made inside the first transaction, resumed while the second is open.
    await gate.hold(async () => {
      fromFirst = (async () => {
        await gateOpen;
        const w = gate.outside();
        return w === undefined ? gate.inside() : (await w, 'waited');
      })();
    });
    // Made between the two (the async context is off here).
    const between = (async () => {
      await gateOpen;
      const w = gate.outside();
      return w === undefined ? gate.inside() : (await w, 'waited');
    })();
    const timer = new Promise<boolean | 'waited'>((r) =>
      setTimeout(() => {
        const w = gate.outside();
        r(w === undefined ? gate.inside() : w.then(() => 'waited' as const));
      }, 10),
    );
    let insideSecond: boolean[] = [];
    await gate.hold(async () => {
      go();
      await new Promise((r) => setTimeout(r, 30));
      insideSecond = [gate.inside()];
    });
    expect(insideSecond).toEqual([true]);
    expect(await fromFirst).toBe('waited');
    expect(await between).toBe('waited');
    expect(await timer).toBe('waited');
  });

  it('transactions run one after another, each inside only itself', async () => {
    const gate = new TxGate();
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        gate.hold(async () => {
          order.push(`${name}+`);
          await tick();
          expect(gate.inside()).toBe(true);
          order.push(`${name}-`);
        }),
      ),
    );
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });
});
