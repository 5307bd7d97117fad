// Messages between the pool (parent) and a child host, sent over Node IPC with 'advanced' serialisation
// (V8 structured clone: big strings cross as one memcpy, no JSON escaping).
import type { SandboxErrorKind } from './types.ts';

/** A var value as sent: JSON text, or a reference to text the child already holds (resident data). */
export type WireVar = string | { ref: number; text?: string };

export interface RunRequest {
  t: 'run';
  seq: number;
  kind: 'function' | 'expression';
  source: string;
  names: string[];
  vars: WireVar[];
  timeoutMs: number;
  memoryMb: number;
  /** Resident texts the child may forget (the parent owns the per-child cache budget). */
  evict?: number[];
}

export interface BatchRequest extends Omit<RunRequest, 't' | 'kind' | 'source'> {
  t: 'batch';
  expressions: string[];
}

export type ChildRequest = RunRequest | BatchRequest;

export interface WireError {
  kind: SandboxErrorKind;
  message: string;
  line?: number;
  column?: number;
}

export type ChildReply =
  | { t: 'ok'; seq: number; json: string }
  | { t: 'err'; seq: number; error: WireError }
  /** JSON array text: [{ok:true,v} | {ok:false,e: WireError}] */
  | { t: 'batch'; seq: number; json: string }
  | { t: 'ready' };
