// The scrubber knows every stored secret by the time it could leave: loaded at start, reloaded before a write of a
// connection or secret returns, and before a client built from another process's change is handed out.
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../runtime/testing/fixtures.ts';
import { testStores, type TestStore } from '../runtime/testing/stores.ts';
import { makeScrubber } from './scrub.ts';
import { Connections } from './vault/connections.ts';
import { SecretStore } from './vault/secrets.ts';
import { loadVault } from './vault/vault.ts';

describe.each(testStores())('scrubber on $name', (kind) => {
  const opened: TestStore[] = [];
  const tmp = tempDir('ll-scrub-');
  afterAll(async () => {
    for (const s of opened) await s.close();
    tmp.cleanup();
  });

  it('redacts secrets stored before it started, written through it, and read from another process', async () => {
    const a = await kind.open();
    opened.push(a);
    const b = await a.twin();
    const { vault } = loadVault(tmp.dir, undefined);
    await new SecretStore(a, vault).set('flow-webhook:old', 'whs_stored_before_start');
    const connections = new Connections(a, vault, { erp: { create: () => ({}) } });
    const secrets = new SecretStore(a, vault);
    const scrub = makeScrubber(connections, secrets);
    await scrub.refresh();
    expect(scrub({ m: 'whs_stored_before_start' })).toEqual({ m: '[redacted]' });

    await connections.create({ id: 'erp', kind: 'erp', provider: 'x', name: 'ERP', config: {}, secrets: { password: 'first-erp-password' } });
    await secrets.set('flow-webhook:f', 'whs_set_through_it');
    expect(scrub({ e: 'login failed: first-erp-password', s: 'whs_set_through_it' })).toEqual({ e: 'login failed: [redacted]', s: '[redacted]' });
    expect(scrub.text('{"e":"first-erp-password"}')).toBe('{"e":"[redacted]"}');
    expect(scrub({ short: 'abc' })).toEqual({ short: 'abc' }); // short values would redact ordinary words
    // A secret with characters JSON escapes is found as stored text holds it, escaped, and redacted.
    await secrets.set('flow-webhook:q', 'pa"ss\\word\n-123');
    const stored = JSON.stringify({ m: 'says pa"ss\\word\n-123 here' });
    expect(stored).not.toContain('pa"ss');
    expect(JSON.parse(scrub.text(stored))).toEqual({ m: 'says [redacted] here' });
    expect(scrub({ m: 'pa"ss\\word\n-123' })).toEqual({ m: '[redacted]' });

    // Another process changes the password: known once this process builds a client with it.
    await new Connections(b, vault, {}).update('erp', { secrets: { password: 'second-erp-password' } });
    expect(scrub('second-erp-password')).toBe('second-erp-password');
    await connections.resolve('erp', 'erp');
    expect(scrub('second-erp-password')).toBe('[redacted]');
  });
});
