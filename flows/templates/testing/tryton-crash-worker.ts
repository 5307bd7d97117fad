// A Ledgerline worker process for tryton-crash.test.ts: the real runtime and node types, order-to-erp, live Tryton.
// argv: dataDir, Tryton config (JSON), mode. `crash`: installs the flow, ingests one paid order, and after Tryton has
// answered the sales-order create, tells the parent and stops right there, before the step can commit (the parent
// kills it with SIGKILL). order-to-erp posts with `verify`: a draft first, then the confirmation that books it; the
// window is after Tryton's answer to the confirmation. `resume`: runs whatever is queued and reports the run when it ends.
import { createRuntime } from '../../../runtime/index.ts';
import { createSandbox } from '../../../runtime/sandbox/index.ts';
import { LookupService } from '../../../server/lookups/store/index.ts';
import { getNodeType } from '../../../nodes/registry.ts';
import { createTrytonConnector } from '../../../nodes/erp/index.ts';
import type { ErpConnector } from '../../../nodes/erp/contract.ts';
import { installSandboxLookups } from '../../../server/lookups/seed.ts';
import { onlyRun, template } from './harness.ts';
import type { NodeServices } from '../../../runtime/node-api.ts';

const [dataDir, trytonJson, mode, payload] = process.argv.slice(2);
if (!dataDir || !trytonJson || !payload || (mode !== 'crash' && mode !== 'resume'))
  throw new Error('usage: tryton-crash-worker <data dir> <Tryton options JSON> crash <order JSON> | resume <run id>');
const tryton = createTrytonConnector({ ...JSON.parse(trytonJson), postInvoices: true });
const erp: ErpConnector =
  mode !== 'crash'
    ? tryton
    : new Proxy(tryton, {
        get(target, key) {
          const v = Reflect.get(target, key);
          if (key !== 'confirmSalesOrder') return typeof v === 'function' ? v.bind(target) : v;
          return async (...args: unknown[]) => {
            const posted = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            process.send?.({ t: 'posted', posted });
            return new Promise(() => {}); // the ERP has answered; the step never gets to commit
          };
        },
      });
const sandbox = createSandbox({ processes: 1 });
const services: NodeServices = {};
const rt = createRuntime({
  dataDir,
  lookup: getNodeType,
  sandbox,
  services,
  worker: { pollMs: 5, leaseMs: 1500 },
  connection: async (kind, id) => {
    if (kind === 'erp' && id === 'sandbox-erp') return erp;
    throw new Error(`no ${kind} connection "${id}" in this worker`);
  },
});
const lookups = new LookupService(rt.store);
services.lookups = lookups;

if (mode === 'crash') {
  await installSandboxLookups(lookups);
  const doc = template('order-to-erp');
  await rt.flows.create({ ...doc, id: 'order-to-erp' });
  await rt.flows.publish('order-to-erp', { activate: true });
  const { runIds } = await rt.queue.ingest({
    source: 'manual',
    payload,
    targets: [{ flowId: 'order-to-erp', version: (await rt.flows.get('order-to-erp')).activeVersion! }],
  });
  process.send?.({ t: 'ingested', runId: onlyRun(runIds, 'order-to-erp') });
  rt.start();
} else {
  rt.start();
  const runId = payload;
  const poll = async () => {
    for (;;) {
      const run = await rt.runs.get(runId);
      if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'skipped') {
        const post = run.steps.filter((s) => s.nodeId === 'post');
        process.send?.({
          t: 'finished',
          status: run.status,
          error: run.error ?? null,
          post: post.map((s) => ({ status: s.status, output: s.output, attempts: (s as { attempts?: number }).attempts })),
        });
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  void poll();
}
