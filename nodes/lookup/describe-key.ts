/** Renders a key for an error message: `title="VAT", rate="0.2"`. */
export function describeKey(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}=${v === undefined || v === null ? 'empty' : JSON.stringify(typeof v === 'string' ? v : String(v))}`)
    .join(', ');
}
