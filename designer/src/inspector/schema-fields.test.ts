import { describe, expect, it } from 'vitest';
import { catalogFromRegistry } from '../../e2e/catalog.ts';
import { checkField, describeCron, fieldsOf } from './schema-fields.ts';

const schemaOf = (type: string) => catalogFromRegistry().find((t) => t.type === type)!.configSchema;

describe('fields from a config JSON Schema', () => {
  it('reads the real code node: code editor required, integers with bounds', () => {
    const fields = fieldsOf(schemaOf('core.code'));
    expect(fields.map((f) => [f.key, f.kind, f.required])).toEqual([
      ['code', 'code', true],
      ['timeoutMs', 'integer', false],
      ['memoryMb', 'integer', false],
    ]);
    expect(fields[1]?.label).toBe('Timeout (ms)');
    expect(checkField(fields[0]!, '')).toBe('Code is required');
    expect(checkField(fields[1]!, 0)).toBe('Timeout (ms) must be at least 1');
    expect(checkField(fields[1]!, 1.5)).toBe('Timeout (ms) must be a whole number');
    expect(checkField(fields[1]!, 40_000)).toBe('Timeout (ms) must be at most 30000');
    expect(checkField(fields[1]!, undefined)).toBeNull();
  });

  it('reads the schedule trigger: cron with a readable preview and inline errors', () => {
    const [cron, tz] = fieldsOf(schemaOf('trigger.schedule'));
    if (!cron) throw new Error('trigger.schedule has no fields');
    expect(cron.kind).toBe('cron');
    expect(tz).toMatchObject({ kind: 'text', required: false });
    expect(describeCron('0 2 * * *')).toBe('At 02:00');
    expect(describeCron('*/15 * * * 1-5')).toBe('Every 15 minutes, Monday through Friday');
    expect(checkField(cron, '0 2 * *')).toBe('a cron expression has 5 or 6 fields, this one has 4');
    expect(checkField(cron, '99 2 * * *')).toMatch(/not a valid cron expression/);
    expect(checkField(cron, '0 2 * * *')).toBeNull();
  });

  it('picks enums, booleans, connections, textareas and optional wrappers', () => {
    const fields = fieldsOf({
      type: 'object',
      required: ['connectionId', 'mode'],
      properties: {
        connectionId: { type: 'string', description: 'Which ERP' },
        mode: { enum: ['draft', 'post'] },
        dryRun: { type: 'boolean', default: false },
        note: { type: 'string', maxLength: 2000 },
        shop: { type: 'string', format: 'connection', 'x-connection-kind': 'shopify' },
        carrier: { anyOf: [{ type: 'string', enum: ['dhl', 'ups'] }, { type: 'null' }] },
        rounding: {
          oneOf: [
            { const: 'half-up', title: 'Half up' },
            { const: 'bankers', title: "Banker's" },
          ],
        },
        extra: { type: 'object' },
      },
    });
    const kinds = Object.fromEntries(fields.map((f) => [f.key, f.kind]));
    expect(kinds).toEqual({
      connectionId: 'connection',
      mode: 'enum',
      dryRun: 'boolean',
      note: 'textarea',
      shop: 'connection',
      carrier: 'enum',
      rounding: 'enum',
      extra: 'json',
    });
    expect(fields[0]).toMatchObject({ label: 'Connection ID', description: 'Which ERP', required: true });
    expect(fields.find((f) => f.key === 'shop')!.connectionKind).toBe('shopify');
    expect(fields.find((f) => f.key === 'rounding')!.options).toEqual([
      { value: 'half-up', label: 'Half up' },
      { value: 'bankers', label: "Banker's" },
    ]);
    expect(checkField(fields[1]!, 'later')).toBe('Mode must be one of draft, post');
    expect(checkField({ ...fields[3]!, schema: { type: 'string', pattern: '^[A-Z]{3}$' } }, 'eur')).toMatch(/expected format/);
  });
});
