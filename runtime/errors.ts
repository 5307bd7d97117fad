// Turns anything a node throws into the persisted, classified step error.
import { NodeError, type ErrorClass } from './node-api.ts';
import { SandboxError } from './sandbox/types.ts';

export interface StepError {
  message: string;
  class: ErrorClass;
  nodeId?: string;
  code?: string;
  details?: Record<string, unknown>;
  line?: number;
  column?: number;
  retryAfterMs?: number;
}

export function describeError(e: unknown, nodeId: string): StepError {
  if (e instanceof NodeError) {
    return { message: e.message, class: e.errorClass, nodeId, code: e.code, details: e.details, retryAfterMs: e.retryAfterMs };
  }
  if (e instanceof SandboxError) {
    // A crashed sandbox process says nothing about the user's code, so trying again is reasonable, unless the
    // same code and input already crashed one before (the sandbox then says it is permanent).
    const cls: ErrorClass = e.kind === 'crash' && !e.permanent ? 'transient' : 'permanent';
    return { message: e.message, class: cls, nodeId: e.nodeId || nodeId, code: `sandbox.${e.kind}`, line: e.line, column: e.column };
  }
  if (e instanceof Error) {
    const cls = (e as { errorClass?: ErrorClass }).errorClass;
    // Unclassified errors are bugs or bad data far more often than outages: do not retry them blindly.
    return { message: e.message, class: cls ?? 'permanent', nodeId };
  }
  return { message: `node threw a non-Error value: ${safeDescribe(e)}`, class: 'permanent', nodeId };
}

function safeDescribe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 500) ?? String(v);
  } catch {
    return String(v);
  }
}
