// What the flow room needs to know of a node type to validate a flow: its catalogue entry, handed in as data by the
// host (the server passes nodes/registry.ts). Declared here so flows/ depends on no other room; the node API's
// NodeType is one such entry.
import type { z } from 'zod';

export interface NodeTypeSpec {
  /** Stable id used in flow JSON, e.g. `core.code`. */
  type: string;
  version: number;
  title: string;
  /** Set for trigger nodes (how they are fired); a flow needs exactly one. */
  trigger?: string;
  config: z.ZodType;
  inputs: ReadonlyArray<{ id: string }>;
  outputs: ReadonlyArray<{ id: string }>;
  /** Checks of a configured node against the nodes its output feeds; each problem names its config path. */
  check?(config: any, ctx: { next: Array<{ nodeId: string; type: NodeTypeSpec }> }): Array<{ path: PropertyKey[]; message: string }>;
}

/** The catalogue: the entry of a node type id, or undefined when no such type is installed. */
export type NodeTypeLookup = (type: string) => NodeTypeSpec | undefined;
