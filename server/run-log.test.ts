// What a server writes to its log per run: one line, from the runtime, at a level that matches what an operator must
// do with it. The server used to add its own line for every run at info (two lines per run, one per success): at
// hundreds of orders a second that was a write to stdout per run nobody reads.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from './testing.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer();
  const rt = t.server.runtime;
  await rt.flows.create(
    flow(
      'ok',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a'],
    ),
  );
  await rt.flows.create(
    flow(
      'bad',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'x', type: 'test.flaky', config: { succeedOn: 99, errorClass: 'permanent' } },
      ],
      ['t->x'],
    ),
  );
  for (const id of ['ok', 'bad']) await rt.flows.publish(id, { activate: true });
});
afterEach(() => t.close());

const lines = (runId: string) =>
  t.logs
    .flatMap((l) => l.split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as { level: number; msg: string; runId?: string; ms?: number; error?: string })
    .filter((l) => l.runId === runId && l.msg.startsWith('run '));

describe('run log lines', () => {
  it('a run that succeeded writes nothing at info; one that failed writes one warning naming its error and duration', async () => {
    const rt = t.server.runtime;
    const { runIds: ok } = await rt.queue.ingest({ source: 'manual', payload: { value: 1 }, targets: [{ flowId: 'ok', version: 1 }] });
    const { runIds: bad } = await rt.queue.ingest({ source: 'manual', payload: { value: 1 }, targets: [{ flowId: 'bad', version: 1 }] });
    await rt.drain();
    expect((await rt.runs.get(ok[0]!)).status).toBe('succeeded');
    expect(lines(ok[0]!)).toEqual([]);
    const failed = lines(bad[0]!);
    expect(failed).toEqual([
      expect.objectContaining({ level: 40, msg: 'run failed', error: expect.stringContaining('flaky failure on attempt 1'), nodeId: 'x' }),
    ]);
    expect(failed[0]!.ms).toBeGreaterThanOrEqual(0);
  });
});
