// What nodes reach (ctx.lookups, ctx.exceptions, ctx.monitoring) during a test run of a draft: the real lookup tables (read only), but no
// production exception inbox and no monitor series. A payout test must not raise a real high-severity finance
// exception; what a node would have raised is logged as a warning on the run instead.
import type { ExceptionSink, MonitorHost, NodeServices, RaiseException } from '../../runtime/node-api.ts';

export function testServices(real: NodeServices, log?: { warn(o: object, m?: string): void }): NodeServices {
  const exceptions: ExceptionSink = {
    raise: async (e: RaiseException) => {
      log?.warn({ type: e.type, key: e.key, title: e.title }, 'test run: exception not raised (test runs stay out of the inbox)');
      return { id: 'test-run', count: 1, isNew: true };
    },
    clear: async () => false,
    openKeys: async () => [],
  };
  const realMonitoring = real.monitoring;
  const monitoring: MonitorHost | undefined = realMonitoring && {
    inProgress: () => realMonitoring.inProgress(),
    durations: (ids, n) => realMonitoring.durations(ids, n),
    failures: (since) => realMonitoring.failures(since),
    lastEventAt: (s) => realMonitoring.lastEventAt(s),
    stepErrors: (codes, since) => realMonitoring.stepErrors(codes, since),
    sample: async () => {},
  };
  const lookups = real.lookups;
  // Reads as usual; "this table version was used by run X" is production bookkeeping, not recorded for tests.
  // (Nor with the step's commit: the runtime writes uses there only for a source that offers `recordUsesInCommit`.)
  const readOnlyLookups = lookups && Object.assign(Object.create(lookups), { recordUse: () => {}, recordUsesInCommit: undefined });
  return { ...real, exceptions, monitoring, lookups: readOnlyLookups };
}
