// The sandbox contract: user JavaScript (code nodes, mapping expressions, branch conditions) runs only through this.

/** A value that is already JSON text (e.g. a step output read from the store): passed on without re-serialising. */
export class JsonText {
  constructor(readonly text: string) {}
}

export interface SandboxCall {
  /** The flow node the code belongs to; every error names it. */
  nodeId: string;
  /**
   * - `function`: the body of an async function; the names in `vars` are its parameters (e.g. `input`).
   * - `expression`: one JavaScript expression over the names in `vars`.
   */
  kind: 'function' | 'expression';
  source: string;
  /** Names visible to the code. Values must be JSON-compatible (or JsonText). */
  vars: Record<string, unknown | JsonText>;
  /** Wall-clock limit for this call, default 1000 ms. */
  timeoutMs?: number;
  /** Heap limit of the isolate that runs this call, default 64 MB. */
  memoryMb?: number;
}

export interface SandboxResult {
  value: unknown;
  /** The same value as JSON text, produced inside the sandbox (so the host need not stringify it to persist it). */
  json: string;
}

export type SandboxErrorKind = 'syntax' | 'runtime' | 'timeout' | 'memory' | 'output' | 'crash';

export class SandboxError extends Error {
  readonly nodeId: string;
  readonly kind: SandboxErrorKind;
  /** 1-based position in the user's source, when known. */
  readonly line?: number;
  readonly column?: number;
  /** A crash that retrying cannot cure (the same code and input brought a sandbox process down twice). */
  readonly permanent: boolean;

  constructor(message: string, opts: { nodeId: string; kind: SandboxErrorKind; line?: number; column?: number; permanent?: boolean }) {
    super(message);
    this.name = 'SandboxError';
    this.nodeId = opts.nodeId;
    this.kind = opts.kind;
    this.line = opts.line;
    this.column = opts.column;
    this.permanent = opts.permanent ?? false;
  }
}

export interface Sandbox {
  run(call: SandboxCall): Promise<SandboxResult>;
  /** Several expressions over the same vars in one round trip (the mapper evaluates many per event). */
  runBatch(
    call: Omit<SandboxCall, 'source' | 'kind'> & { expressions: string[] },
  ): Promise<Array<{ ok: true; value: unknown } | { ok: false; error: SandboxError }>>;
  close(): Promise<void>;
}
