// The transform menu of the mapper: the built-in operations a client can pick without writing code, each with a
// sensible starting configuration and a one-line description.
import type { TransformInput } from './fields.ts';

export const ROUNDINGS = ['half-up', 'half-even', 'half-down', 'up', 'down', 'ceiling', 'floor'] as const;

export const TRANSFORM_MENU: Array<{ op: TransformInput['op']; label: string; make(): TransformInput }> = [
  { op: 'trim', label: 'Trim spaces', make: () => ({ op: 'trim', side: 'both' }) },
  { op: 'case', label: 'Change case', make: () => ({ op: 'case', to: 'upper' }) },
  { op: 'pad', label: 'Pad to length', make: () => ({ op: 'pad', length: 10, char: '0', side: 'start' }) },
  { op: 'truncate', label: 'Cut to length', make: () => ({ op: 'truncate', length: 30 }) },
  { op: 'replace', label: 'Replace text', make: () => ({ op: 'replace', find: ' ', with: '' }) },
  { op: 'split', label: 'Split text', make: () => ({ op: 'split', separator: ',', index: 0 }) },
  { op: 'join', label: 'Join list', make: () => ({ op: 'join', separator: ', ' }) },
  { op: 'date', label: 'Date in a time zone', make: () => ({ op: 'date', format: 'yyyy-MM-dd', timeZone: 'UTC' }) },
  { op: 'decimal', label: 'Round a decimal', make: () => ({ op: 'decimal', places: 2, rounding: 'half-up' }) },
  { op: 'math', label: 'Arithmetic', make: () => ({ op: 'math', operator: 'multiply', operand: { const: 1 } }) },
  { op: 'negate', label: 'Negate', make: () => ({ op: 'negate' }) },
  { op: 'default', label: 'Default when empty', make: () => ({ op: 'default', value: '' }) },
  { op: 'concat', label: 'Concatenate', make: () => ({ op: 'concat', parts: [{ path: '' }], separator: ' ' }) },
  { op: 'type', label: 'Convert type', make: () => ({ op: 'type', to: 'string' }) },
];

export function describeTransform(t: TransformInput): string {
  switch (t.op) {
    case 'trim':
      return `trim ${t.side ?? 'both'}`;
    case 'case':
      return `${t.to} case`;
    case 'pad':
      return `pad ${t.side ?? 'start'} to ${t.length} with "${t.char ?? ' '}"`;
    case 'truncate':
      return `cut to ${t.length}`;
    case 'replace':
      return `replace "${t.find}" with "${t.with ?? ''}"`;
    case 'split':
      return `split on "${t.separator}"${t.index !== undefined ? `, take [${t.index}]` : ''}`;
    case 'join':
      return `join with "${t.separator ?? ''}"`;
    case 'date':
      return `date ${t.format ?? 'yyyy-MM-dd'} in ${t.timeZone ?? 'UTC'}`;
    case 'decimal':
      return `${t.places} places, rounding ${t.rounding}`;
    case 'math':
      return `${t.operator} ${'path' in t.operand ? t.operand.path : t.operand.const}`;
    case 'negate':
      return 'negate';
    case 'default':
      return `default ${JSON.stringify(t.value)}`;
    case 'concat':
      return `concat ${t.parts.map((p) => ('path' in p ? p.path : JSON.stringify(p.const))).join(` + `)}`;
    case 'type':
      return `as ${t.to}`;
  }
}

/** Turns what was typed into a constant: numbers stay text unless asked, so "007" is not turned into 7. */
export function parseConstant(text: string, as: 'text' | 'number' | 'boolean' | 'null'): unknown {
  if (as === 'null') return null;
  if (as === 'boolean') return text.trim().toLowerCase() === 'true';
  if (as === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`"${text}" is not a number`);
    return n;
  }
  return text;
}
