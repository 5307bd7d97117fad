// The pretest step: a missing browser is installed as root, and otherwise stops `npm test` with the command to run.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { ensureChromium } from './ensure-chromium.mjs';

const files =
  (...present: string[]) =>
  (p: string) =>
    present.includes(p);

describe('ensureChromium (npm test pretest)', () => {
  it("does nothing when Debian's Chromium is there", () => {
    let ran = false;
    expect(ensureChromium({ env: {}, uid: 0, exists: files('/usr/bin/chromium'), apt: () => (ran = true) })).toBe('present');
    expect(ran).toBe(false);
  });

  it('installs it as root, and checks that apt-get really did', () => {
    const have = new Set(['/usr/bin/apt-get']);
    expect(ensureChromium({ env: {}, uid: 0, exists: (p: string) => have.has(p), apt: () => have.add('/usr/bin/chromium') })).toBe('installed');
    expect(() => ensureChromium({ env: {}, uid: 0, exists: files('/usr/bin/apt-get'), apt: () => {} })).toThrow(
      /apt-get finished but \/usr\/bin\/chromium is still missing/,
    );
  });

  it('stops at once with the one command to run when it cannot install', () => {
    expect(() => ensureChromium({ env: {}, uid: 1000, exists: files('/usr/bin/apt-get'), apt: () => {} })).toThrow(
      /run `sudo apt-get install -y --no-install-recommends chromium`/,
    );
    expect(() => ensureChromium({ env: { LEDGERLINE_CHROMIUM: '/opt/none/chrome' }, uid: 0, exists: files('/usr/bin/apt-get'), apt: () => {} })).toThrow(
      /LEDGERLINE_CHROMIUM=\/opt\/none\/chrome does not exist/,
    );
  });
});
