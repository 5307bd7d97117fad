import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from './testing.ts';
import { Cron } from 'croner';
import { scheduledOccurrence } from './schedules.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer();
});
afterEach(() => t.close());

describe('scheduler', () => {
  it('arms active schedule flows, follows activation changes, and fires each scheduled time once', async () => {
    const tok = t.tokens.owner;
    await t.json('POST', '/api/flows', {
      token: tok,
      body: flow(
        'nightly',
        [
          { id: 't', type: 'trigger.schedule', config: { cron: '0 2 * * *', timezone: 'Europe/Berlin' } },
          { id: 'a', type: 'test.add', config: { n: 0 } },
        ],
        ['t->a'],
      ),
    });
    await t.json('POST', '/api/flows/nightly/publish', { token: tok, body: { message: 'v1' } });
    expect(t.server.scheduler.armed).toEqual([]);
    await t.json('POST', '/api/flows/nightly/activate', { token: tok, body: {} });
    expect(t.server.scheduler.armed).toEqual(['nightly']);
    const at = new Date('2026-11-27T01:00:00.000Z');
    const a = await t.server.scheduler.fire('nightly', 1, 'Europe/Berlin', undefined, at);
    const b = await t.server.scheduler.fire('nightly', 1, 'Europe/Berlin', undefined, at);
    expect(a?.runIds).toHaveLength(1);
    expect(b?.duplicate).toBe(true);
    await t.server.runtime.drain();
    const run = await t.server.runtime.runs.get(a!.runIds[0]!);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]?.output).toMatchObject({ scheduledFor: '2026-11-27T01:00:00.000Z', timezone: 'Europe/Berlin' });
    await t.json('POST', '/api/flows/nightly/deactivate', { token: tok });
    expect(t.server.scheduler.armed).toEqual([]);
  });
});

describe('scheduler and worker switches of createServer (serve --role)', () => {
  it('a web process (no workers, no scheduler) queues runs and arms nothing; a scheduler process arms once it leads', async () => {
    const tok = t.tokens.owner;
    // `t` (start: true) leads the scheduler election of its data dir from its first moment.
    expect(t.server.leadership?.isLeader).toBe(true);
    const web = await testServer({ workers: false, scheduler: false, dataDir: t.dir });
    try {
      expect(web.server.leadership).toBeNull();
      await web.json('POST', '/api/flows', {
        token: tok,
        body: flow(
          'hourly',
          [
            { id: 't', type: 'trigger.schedule', config: { cron: '0 * * * *', timezone: 'UTC' } },
            { id: 'a', type: 'test.add', config: { n: 1 } },
          ],
          ['t->a'],
        ),
      });
      await web.json('POST', '/api/flows/hourly/publish', { token: tok, body: { message: 'v1' } });
      await web.json('POST', '/api/flows/hourly/activate', { token: tok, body: {} });
      expect((await web.server.runtime.flows.get('hourly')).active).toBe(true);
      expect(web.server.scheduler.armed).toEqual([]);
      // Fired here by hand: stored and queued, but this process runs nothing; the worker of `t` does.
      const fired = (await web.server.scheduler.fire('hourly', 1, 'UTC', undefined, new Date('2026-12-01T10:00:00Z')))!;
      await new Promise((r) => setTimeout(r, 100));
      expect(web.server.runtime.worker.busy).toBe(0);
      await t.server.runtime.drain();
      expect((await t.server.runtime.runs.get(fired.runIds[0]!)).status).toBe('succeeded');
    } finally {
      await web.server.close();
    }
    // A second scheduler process does not lead while `t` does, and arms nothing on a refresh of its own.
    const standby = await testServer({ workers: false, scheduler: true, dataDir: t.dir });
    try {
      expect(standby.server.leadership?.isLeader).toBe(false);
      await t.server.scheduler.refresh();
      expect(t.server.scheduler.armed).toEqual(['hourly']);
      expect(standby.server.scheduler.armed).toEqual([]);
      // The leader steps down (closes): the standby leads at its next try, and arms the schedule.
      await t.server.leadership!.stop();
      await standby.server.leadership!.tick();
      expect(standby.server.leadership?.isLeader).toBe(true);
      expect(standby.server.scheduler.armed).toEqual(['hourly']);
    } finally {
      await standby.server.close();
    }
  });
});

describe('scheduledOccurrence', () => {
  it('is the occurrence a late firing belongs to, not the second the busy event loop got round to it', () => {
    const cron = new Cron('*/2 * * * * *', { paused: true, timezone: 'UTC' });
    try {
      // Due at :04; the callback runs 1.3 s late (croner's currentRun() would say :05).
      expect(scheduledOccurrence(cron, new Date('2026-12-04T10:00:05.300Z')).toISOString()).toBe('2026-12-04T10:00:04.000Z');
      // On time, to the millisecond.
      expect(scheduledOccurrence(cron, new Date('2026-12-04T10:00:06.000Z')).toISOString()).toBe('2026-12-04T10:00:06.000Z');
      const hourly = new Cron('0 * * * *', { paused: true, timezone: 'UTC' });
      expect(scheduledOccurrence(hourly, new Date('2026-12-04T10:00:01.900Z')).toISOString()).toBe('2026-12-04T10:00:00.000Z');
      hourly.stop();
    } finally {
      cron.stop();
    }
  });
});
