// Runs one event through a flow on a data dir and returns the CLI's run record.
import { createRuntime } from '../runtime/index.ts';
import type { AnyStore } from '../runtime/store/any-store.ts';
import { createSandbox } from '../runtime/sandbox/index.ts';
import { contentHash } from '../runtime/ids.ts';
import { NotFoundError } from '../runtime/flow-store.ts';
import { getNodeType } from '../nodes/registry.ts';
import { cliConnections } from './cli-connections.ts';
import { LookupService } from './lookups/store/index.ts';
import { createExceptionService } from './exceptions/store/index.ts';
import type { Flow } from '../flows/schema.ts';
import type { NodeServices } from '../runtime/node-api.ts';

export interface CliRunRecord {
  runId: string;
  flowVersion: number;
  status: 'succeeded' | 'failed' | 'skipped';
  steps: Array<{ nodeId: string; status: string; attempts: number; output?: unknown; error?: { message: string } & Record<string, unknown> }>;
  error?: unknown;
  /** Why the run was skipped (an unpaid or cancelled order...): not a failure. */
  skipped?: { code: string; message: string; nodeId: string };
}

export async function runFlowOnce(o: {
  dataDir: string;
  /** The store, when not the SQLite file of `dataDir` (a workspace's PostgreSQL schema); the run closes it. */
  store?: AnyStore;
  flow: Flow;
  event: unknown;
  connection?: (kind: string, id: string) => Promise<unknown>;
}): Promise<CliRunRecord> {
  const sandbox = createSandbox({ processes: 1 });
  const defaults = o.connection ? null : cliConnections(o.dataDir);
  const services: NodeServices = {};
  const rt = createRuntime<AnyStore>({
    dataDir: o.dataDir,
    ...(o.store ? { store: o.store } : {}),
    lookup: getNodeType,
    sandbox,
    services,
    connection: o.connection ?? defaults!.connection,
  });
  const lookups = new LookupService(rt.store);
  services.lookups = lookups;
  if (defaults) await (await import('./lookups/seed.ts')).installSandboxLookups(lookups);
  const exceptions = createExceptionService(rt.store, rt);
  Object.assign(services, { exceptions, monitoring: exceptions.monitoring });
  try {
    const version = await publishIfChanged(rt, o.flow);
    const { runIds } = await rt.queue.ingest({ source: 'manual', payload: o.event, targets: [{ flowId: o.flow.id, version }] });
    rt.start();
    await rt.drain(10 * 60_000);
    const run = await rt.runs.get(runIds[0]!); // one target, no dedup key: one run
    return {
      runId: run.runId,
      flowVersion: run.flowVersion,
      status: run.status as CliRunRecord['status'],
      steps: run.steps.map((s) => ({
        nodeId: s.nodeId,
        status: s.status,
        attempts: s.attempts,
        ...(s.output !== undefined ? { output: s.output } : {}),
        ...(s.error ? { error: s.error as CliRunRecord['steps'][number]['error'] } : {}),
      })),
      ...(run.error ? { error: run.error } : {}),
      ...(run.skipped ? { skipped: run.skipped } : {}),
    };
  } finally {
    exceptions.detach();
    await rt.close();
    await sandbox.close();
    await defaults?.close();
  }
}

/** Reuses the latest version when its content is the same, so repeated runs on one data dir share a version. */
async function publishIfChanged(rt: ReturnType<typeof createRuntime>, flow: Flow): Promise<number> {
  try {
    await rt.flows.get(flow.id);
    await rt.flows.updateDraft(flow.id, flow as unknown as Record<string, unknown>);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    await rt.flows.create(flow as unknown as Record<string, unknown> & { id: string });
  }
  const latest = await rt.flows.latestVersion(flow.id);
  if (latest != null && (await rt.flows.version(flow.id, latest)).hash === contentHash(flow)) return latest;
  return (await rt.flows.publish(flow.id, { message: 'ledgerline run' })).version;
}
