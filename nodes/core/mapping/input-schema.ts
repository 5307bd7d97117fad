// A node type's declared input (NodeType.input, zod) as JSON Schema, cached per schema.
import { z } from 'zod';
import type { NodeType } from '../../../runtime/node-api.ts';
import type { JsonSchemaLike } from './targets.ts';

const schemaCache = new WeakMap<object, JsonSchemaLike | null>();
/** The JSON Schema of a node type's declared input, or null when it declares none. */
export function inputJsonSchema(type: NodeType): JsonSchemaLike | null {
  if (!type.input) return null;
  let s = schemaCache.get(type.input);
  if (s === undefined) {
    try {
      s = z.toJSONSchema(type.input, { io: 'input', unrepresentable: 'any' }) as JsonSchemaLike;
    } catch {
      s = null;
    }
    schemaCache.set(type.input, s);
  }
  return s;
}
