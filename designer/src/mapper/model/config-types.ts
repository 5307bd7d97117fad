// The core.map node's configuration as the designer edits it and the server accepts it (a node's `config` in the
// flow document). The designer reaches the server over HTTP only, so it declares the shape here;
// config-types.test.ts fails the typecheck when it no longer matches the node's schema (nodes/core/mapping/config.ts).

export type Rounding = 'half-up' | 'half-even' | 'half-down' | 'up' | 'down' | 'ceiling' | 'floor';

/** A value taken from a path, or a fixed value. */
export type OperandInput = { path: string } | { const: string | number };

export type TransformInput =
  | { op: 'trim'; side?: 'both' | 'start' | 'end' }
  | { op: 'case'; to: 'upper' | 'lower' | 'title' }
  | { op: 'pad'; length: number; char?: string; side?: 'start' | 'end' }
  | { op: 'truncate'; length: number }
  | { op: 'replace'; find: string; with?: string }
  | { op: 'split'; separator: string; index?: number }
  | { op: 'join'; separator?: string }
  | { op: 'date'; format?: string; timeZone?: string }
  | { op: 'decimal'; places: number; rounding: Rounding }
  | { op: 'math'; operator: 'add' | 'subtract' | 'multiply' | 'divide'; operand: OperandInput }
  | { op: 'negate' }
  | { op: 'default'; value: unknown }
  | { op: 'concat'; parts: OperandInput[]; separator?: string }
  | { op: 'type'; to: 'string' | 'integer' | 'number' | 'boolean' | 'decimal' };

export type ConditionInput =
  | { path: string; op: 'eq' | 'ne' | 'in' | 'notIn' | 'empty' | 'notEmpty' | 'true' | 'false' | 'gt' | 'gte' | 'lt' | 'lte'; value?: unknown }
  | { expr: string };

export interface FieldInput {
  target: string;
  source: SourceInput;
  transforms?: TransformInput[];
  required?: boolean;
  description?: string;
}

export type SourceInput =
  | { kind: 'path'; path: string }
  | { kind: 'const'; value: unknown }
  | { kind: 'lookup'; table: string; key: string | Record<string, string>; column?: string; missing?: 'fail' | 'key' }
  | { kind: 'expr'; expr: string }
  | { kind: 'each'; path: string; filter?: ConditionInput[]; fields: FieldInput[] };
