// Outputs of nodes that rebuild them (NodeType.rebuildsOutput): stored as a reference, and made again from the
// step's input by running the node once more. Such a node always runs with the context made here, which holds its
// settings and ids only: what else it reaches for (state, lookups, connections, the sandbox, the clock) throws,
// naming the node, on its first run already, so a node that could not give the same output later is found at once
// rather than when a run is inspected months on.
import { isRouted, JsonText, type Logger, type NodeContext, type NodeType, permanentError, WithJson, InputWith } from './node-api.ts';

export interface RebuildIds {
  runId: string;
  flowId: string;
  flowVersion: number;
  nodeId: string;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const never = new AbortController().signal;

/** The context a rebuilding node runs with, first time or again. `log`: a rebuild says nothing (it said it the first time). */
export function rebuildContext(type: NodeType, ids: RebuildIds, config: unknown, trigger: unknown, rawInput: () => JsonText, log: Logger = quiet): NodeContext {
  const refuse = (what: string): never => {
    throw permanentError(`node "${ids.nodeId}" (${type.type}) rebuilds its output from its input alone (rebuildsOutput), but reached for ${what}`, {
      code: 'REBUILD_NOT_PURE',
    });
  };
  return {
    ...ids,
    attempt: 1,
    config,
    trigger,
    get rawInput() {
      return rawInput();
    },
    log,
    signal: never,
    get sandbox() {
      return refuse('the code sandbox');
    },
    get state() {
      return refuse('flow state');
    },
    connection: () => refuse('a connection'),
    get claims() {
      return refuse('business-key claims');
    },
    get lookups() {
      return refuse('lookup tables');
    },
    get exceptions() {
      return refuse('the exception inbox');
    },
    get monitoring() {
      return refuse('monitoring');
    },
    now: () => refuse('the clock'),
  };
}

/** The output a step stored as OUTPUT_REBUILT had: its node run again on the same input, as JSON would give it back. */
export async function rebuildOutput(
  type: NodeType,
  ids: RebuildIds,
  config: unknown,
  input: unknown,
  trigger: unknown,
  inputText: () => string,
): Promise<unknown> {
  let raw: JsonText | undefined;
  const r = await type.execute(
    rebuildContext(type, ids, config, trigger, () => (raw ??= new JsonText(inputText()))),
    input,
  );
  return bareOutput(r);
}

/** A node's result without its routing and wrappers (a rebuilt output is stored with the port it went out of). */
export function bareOutput(result: unknown): unknown {
  const v = isRouted(result) ? result.data : result;
  return v instanceof WithJson || v instanceof InputWith ? v.value : v;
}
