import { execFile } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { flow, tempDir } from '../runtime/testing/fixtures.ts';

const exec = promisify(execFile);
const bin = new URL('../bin/ledgerline.js', import.meta.url).pathname;
const tmp = tempDir('ledgerline-cli-');
afterAll(() => tmp.cleanup());

async function cli(...args: string[]) {
  try {
    const r = await exec(process.execPath, [bin, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

function file(name: string, value: unknown) {
  const p = join(tmp.dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

const good = flow(
  'cli-demo',
  [
    { id: 'start', type: 'trigger.manual' },
    { id: 'double', type: 'core.code', config: { code: 'return { total: input.total * 2 }' } },
    { id: 'big', type: 'core.branch', config: { condition: 'input.total > 10' } },
    { id: 'yes', type: 'core.code', config: { code: "return { verdict: 'big', total: input.total }" } },
    { id: 'no', type: 'core.code', config: { code: "return { verdict: 'small' }" } },
  ],
  ['start->double', 'double->big', 'big:true->yes', 'big:false->no'],
);

describe('ledgerline validate', () => {
  it('exits 0 for a valid flow', async () => {
    const r = await cli('validate', file('good.json', good));
    expect(r.code).toBe(0);
  });

  it('exits 1 and prints one problem per line, each starting with the id and JSON path', async () => {
    const bad = flow(
      'bad',
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'c', type: 'core.code', config: {} },
      ],
      ['start->c', 'c->ghost'],
    );
    const r = await cli('validate', file('bad.json', bad));
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('c $.nodes[1].config.code: The Code node needs a code');
    expect(lines).toContain('e1 $.edges[1].target: edge target "ghost" is not a node of this flow');
    const json = JSON.parse((await cli('validate', file('bad.json', bad), '--json')).stdout);
    expect(json.valid).toBe(false);
    expect(json.problems).toContainEqual({ where: 'e1', path: '$.edges[1].target', message: 'edge target "ghost" is not a node of this flow' });
  });

  it('refuses the sandbox ERP on a Shopify trigger', async () => {
    const doc = flow(
      'wrong-kind',
      [
        { id: 'shopify', type: 'shopify.trigger', config: { connection: 'sandbox-erp', topic: 'orders/paid' } },
        { id: 'c', type: 'core.code', config: { code: 'return input' } },
      ],
      ['shopify->c'],
    );
    const r = await cli('validate', file('wrong-kind.json', doc));
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(
      'shopify $.nodes[0].config.connection: "sandbox-erp" is an ERP connection; this node takes a Shopify connection (sandbox-shop)',
    );
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', join(tmp.dir, 'nope.json'))).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });
});

describe('ledgerline run', () => {
  it('runs the flow once with the event and prints the run record', async () => {
    const r = await cli('run', file('good.json', good), '--event', file('e.json', { total: 7 }), '--json');
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec).toMatchObject({ flowVersion: 1, status: 'succeeded' });
    expect(rec.runId).toMatch(/^run_/);
    expect(rec.steps).toEqual([
      { nodeId: 'start', status: 'succeeded', attempts: 1, output: { total: 7 } },
      { nodeId: 'double', status: 'succeeded', attempts: 1, output: { total: 14 } },
      { nodeId: 'big', status: 'succeeded', attempts: 1, output: { total: 14 } },
      { nodeId: 'yes', status: 'succeeded', attempts: 1, output: { verdict: 'big', total: 14 } },
      { nodeId: 'no', status: 'skipped', attempts: 0 },
    ]);
  });

  it('exits 1 for a failed run, naming the node and the line in the user code', async () => {
    const broken = flow(
      'broken',
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'oops', type: 'core.code', config: { code: 'const a = 1;\nreturn input.missing.deep;' } },
      ],
      ['start->oops'],
    );
    const r = await cli('run', file('broken.json', broken), '--event', file('e.json', { total: 1 }), '--json');
    expect(r.code).toBe(1);
    const rec = JSON.parse(r.stdout);
    expect(rec.status).toBe('failed');
    expect(rec.error).toMatchObject({ nodeId: 'oops', line: 2 });
    expect(rec.steps[1]).toMatchObject({ nodeId: 'oops', status: 'failed', attempts: 1 });
  });

  it('exits 2 for an invalid flow or a missing event, and keeps runs in --data-dir', async () => {
    expect((await cli('run', file('good.json', good))).code).toBe(2);
    expect((await cli('run', file('x.json', { schemaVersion: 1 }), '--event', file('e.json', {}))).code).toBe(2);
    const dir = join(tmp.dir, 'data');
    const a = JSON.parse((await cli('run', file('good.json', good), '--event', file('e.json', { total: 1 }), '--data-dir', dir, '--json')).stdout);
    const b = JSON.parse((await cli('run', file('good.json', good), '--event', file('e.json', { total: 2 }), '--data-dir', dir, '--json')).stdout);
    expect(a.flowVersion).toBe(1);
    expect(b.flowVersion).toBe(1);
    expect(b.steps[4].output).toEqual({ verdict: 'small' });
    expect(existsSync(join(dir, 'ledgerline.db'))).toBe(true);
  }, 120_000); // four CLI processes, each starting the engine and its sandbox children
});

describe('ledgerline migrate', () => {
  it('creates and migrates the store in the data dir', async () => {
    const dir = join(tmp.dir, 'm');
    const r = await cli('migrate', '--data-dir', dir);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'ledgerline.db'))).toBe(true);
  });
});
