// Installing the shipped templates on a fresh data dir: published and active when they validate (or published and
// left inactive when their settings say so), kept as drafts when they do not, and never installed twice.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { nodeTypes } from '../nodes/registry.ts';
import { bootRuntimes } from '../runtime/testing/boot.ts';
import { tempDir } from '../runtime/testing/fixtures.ts';
import { installTemplates } from './templates.ts';

const boot = bootRuntimes();
const TEMPLATES = join(import.meta.dirname, '..', 'flows', 'templates');

describe('installTemplates', () => {
  it('publishes the templates that validate (active unless installActive is false) and keeps the others as drafts, once', async () => {
    const rt = await boot(nodeTypes, { start: false });
    const t = tempDir();
    try {
      const dir = join(t.dir, 'templates');
      mkdirSync(dir);
      copyFileSync(join(TEMPLATES, 'order-to-erp.json'), join(dir, 'order-to-erp.json'));
      copyFileSync(join(TEMPLATES, 'manual-payments-to-erp.json'), join(dir, 'manual-payments-to-erp.json'));
      // A template whose mapping expression does not parse: caught by publishing's own validation.
      const broken = {
        schemaVersion: 1,
        name: 'Broken',
        nodes: [
          { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
          { id: 'm', type: 'core.map', position: { x: 200, y: 0 }, config: { fields: [{ target: 'a', source: { kind: 'expr', expr: 'input.(' } }] } },
        ],
        edges: [{ id: 'e', source: 't', target: 'm' }],
      };
      writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
      const warnings: unknown[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });

      expect(await installTemplates(rt, dir, log)).toEqual({ published: ['manual-payments-to-erp', 'order-to-erp'], drafts: ['broken'] });
      expect((await rt.flows.get('order-to-erp')).activeVersion).toBe(1);
      expect((await rt.flows.get('manual-payments-to-erp')).activeVersion).toBeNull();
      expect((await rt.flows.get('broken')).activeVersion).toBeNull();
      expect(warnings).toEqual([
        expect.objectContaining({
          flowId: 'broken',
          msg: 'template installed as a draft: it does not validate yet',
          problem: expect.objectContaining({ where: 'm', path: '$.nodes[1].config.fields[0].source.expr' }),
        }),
      ]);
      // A second start finds them installed: nothing published again.
      expect(await installTemplates(rt, dir, log)).toEqual({ published: [], drafts: [] });
    } finally {
      t.cleanup();
    }
  });
});
