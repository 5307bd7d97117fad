// The sandbox shop's file: saved when the state changed, read back, and set aside (not lost) when unreadable.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { keptShop } from './kept-shop.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('keptShop', () => {
  it('writes the state at close and reads it back at the next start', async () => {
    dir = mkdtempSync(join(tmpdir(), 'll-kept-shop-'));
    const file = join(dir, 'sandbox-shop.json');
    const first = keptShop(file, pino({ level: 'silent' }));
    expect(await first.load()).toBeUndefined();
    const state = { orders: ['#1001'] };
    first.watch({ state: { snapshot: () => state } });
    state.orders.push('#1002');
    await first.close();
    expect(await keptShop(file, pino({ level: 'silent' })).load()).toEqual({ orders: ['#1001', '#1002'] });
  });

  it('sets an unreadable file aside and starts without it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'll-kept-shop-'));
    const file = join(dir, 'sandbox-shop.json');
    writeFileSync(file, '{"orders": [');
    expect(await keptShop(file, pino({ level: 'silent' })).load()).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    const aside = readdirSync(dir).filter((f) => f.startsWith('sandbox-shop.json.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{"orders": [');
  });
});
