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

/**
 * The context a rebuilding node runs with, first time or again. `log`: a rebuild says nothing (it said it the first
 * time). A class, its refusals getters on the prototype: an object literal with getters was made per step at a cost.
 */
export function rebuildContext(type: NodeType, ids: RebuildIds, config: unknown, trigger: unknown, rawInput: () => JsonText, log: Logger = quiet): NodeContext {
  return new RebuildContext(type.type, ids, config, trigger, rawInput, log);
}

class RebuildContext {
  readonly runId: string;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly nodeId: string;
  readonly attempt = 1;
  readonly signal = never;

  constructor(
    private readonly type: string,
    ids: RebuildIds,
    readonly config: unknown,
    readonly trigger: unknown,
    private readonly raw: () => JsonText,
    readonly log: Logger,
  ) {
    this.runId = ids.runId;
    this.flowId = ids.flowId;
    this.flowVersion = ids.flowVersion;
    this.nodeId = ids.nodeId;
  }

  get rawInput(): JsonText {
    return this.raw();
  }
  private refuse(what: string): never {
    throw permanentError(`node "${this.nodeId}" (${this.type}) rebuilds its output from its input alone (rebuildsOutput), but reached for ${what}`, {
      code: 'REBUILD_NOT_PURE',
    });
  }
  get sandbox(): never {
    return this.refuse('the code sandbox');
  }
  get state(): never {
    return this.refuse('flow state');
  }
  get claims(): never {
    return this.refuse('business-key claims');
  }
  get lookups(): never {
    return this.refuse('lookup tables');
  }
  get exceptions(): never {
    return this.refuse('the exception inbox');
  }
  get monitoring(): never {
    return this.refuse('monitoring');
  }
  connection(): never {
    return this.refuse('a connection');
  }
  now(): never {
    return this.refuse('the clock');
  }
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
function bareOutput(result: unknown): unknown {
  const v = isRouted(result) ? result.data : result;
  return v instanceof WithJson || v instanceof InputWith ? v.value : v;
}
