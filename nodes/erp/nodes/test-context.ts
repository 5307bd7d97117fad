// A NodeContext for ERP node tests: real connectors (sandbox ERP or Tryton), an in-memory flow state.
import type { NodeContext, NodeType } from '../../../runtime/node-api.ts';
import type { ErpConnector } from '../contract.ts';

export function nodeContext<C>(node: NodeType<C>, config: unknown, erp: ErpConnector | unknown, state = new Map<string, unknown>()): NodeContext<C> {
  const parsed = node.config.parse(config) as C;
  const noop = () => {};
  return {
    runId: 'run-1',
    flowId: 'flow-1',
    flowVersion: 1,
    nodeId: 'n1',
    attempt: 1,
    config: parsed,
    trigger: {},
    log: { debug: noop, info: noop, warn: noop, error: noop },
    sandbox: undefined as never,
    state: { get: async <T>(k: string) => state.get(k) as T | undefined, set: (k: string, v: unknown) => void state.set(k, v) },
    async connection<T>(kind: string, id: string) {
      if (kind !== 'erp' || id !== 'erp-main') throw new Error(`no ${kind} connection ${id}`);
      return erp as T;
    },
    signal: new AbortController().signal,
    now: () => new Date(),
  };
}

export async function run<C, I, O>(node: NodeType<C, I, O>, config: unknown, erp: unknown, input: I, state?: Map<string, unknown>): Promise<O> {
  return (await node.execute(nodeContext(node, config, erp, state), input)) as O;
}
