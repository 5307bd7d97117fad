import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nodeTypes, getNodeType } from './registry.ts';

describe('node registry', () => {
  it('has the node type ids issue 2 promises', () => {
    for (const t of ['trigger.manual', 'trigger.schedule', 'trigger.webhook', 'core.code', 'core.branch']) expect(getNodeType(t)?.type).toBe(t);
  });

  it.each(nodeTypes.map((t) => [t.type, t] as const))('%s declares what the designer and runtime need', (_id, t) => {
    expect(t.type).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
    expect(t.title.length).toBeGreaterThan(0);
    expect(t.description.length).toBeGreaterThan(20);
    expect(Number.isInteger(t.version) && t.version >= 1).toBe(true);
    expect(t.outputs.length + t.inputs.length).toBeGreaterThan(0);
    if (t.trigger) expect(t.inputs).toEqual([]);
    else expect(t.inputs.length).toBeGreaterThan(0);
    // The designer builds its forms from this; a schema zod cannot express as JSON Schema would break the palette.
    expect(() => z.toJSONSchema(t.config, { io: 'input', unrepresentable: 'any' })).not.toThrow();
    expect(t.sampleOutput).not.toBeUndefined();
  });
});
