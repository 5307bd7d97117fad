// Public entry of the sandbox: user JavaScript runs only through createSandbox().run / runBatch.
import { SandboxPool, type SandboxOptions } from './pool.ts';

export { JsonText, SandboxError } from './types.ts';
export type { Sandbox, SandboxCall, SandboxResult, SandboxErrorKind } from './types.ts';
export type { SandboxOptions } from './pool.ts';
export { SandboxPool };

/** Starts the child processes at once (each ~0.5 s to boot); calls made before they are ready wait in a queue. */
export function createSandbox(opts?: SandboxOptions): SandboxPool {
  return new SandboxPool(opts);
}
