import { z } from 'zod';
import { flowSchema } from './schema.ts';

/** The flow format as JSON Schema (draft 2020-12), for editors and other tools. */
export function flowJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://ledgerline.dev/schemas/flow.schema.json',
    title: 'Ledgerline flow',
    ...z.toJSONSchema(flowSchema, { io: 'input' }),
  };
}
