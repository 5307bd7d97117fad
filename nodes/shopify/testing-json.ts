// Test support: JSON texts from a small deterministic generator (the same cases every run for a seed), with what
// exact parsers get wrong: integers past 15 digits (signed, beside fractions and exponents), digits, quotes, escapes
// and brackets inside strings, nesting, and whitespace between tokens.

export function jsonTexts(seed: number) {
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const digits = (len: number) => String(1 + rnd(9)) + Array.from({ length: len - 1 }, () => String(rnd(10))).join('');
  const ws = () => [' ', '', '\n  ', '\t', ''][rnd(5)]!;
  function number(): string {
    const sign = rnd(3) === 0 ? '-' : '';
    const int = rnd(8) === 0 ? '0' : digits(rnd(2) ? 14 + rnd(8) : 1 + rnd(22));
    const frac = rnd(4) === 0 ? `.${digits(1 + rnd(20))}` : '';
    const exp = rnd(5) === 0 ? `${'eE'[rnd(2)]}${['', '+', '-'][rnd(3)]}${digits(1 + rnd(3))}` : '';
    return sign + int + frac + exp;
  }
  function string(): string {
    const parts = ['"', '\\"', '\\\\', '\\n', '\\u0041', ':', ',', ']', '}', '[', '{', '-', 'id', ' '];
    let s = '';
    for (let i = rnd(6); i > 0; i--) s += rnd(2) ? digits(1 + rnd(22)) : parts[rnd(parts.length)]!;
    return `"${s.replaceAll('"', '\\"').replace(/\\\\"/g, '\\\\\\"')}"`;
  }
  function value(depth: number): string {
    const k = depth > 3 ? rnd(4) : rnd(6);
    if (k === 0) return number();
    if (k === 1) return string();
    if (k === 2) return ['true', 'false', 'null'][rnd(3)]!;
    if (k === 3) return number();
    if (k === 4) return `[${ws()}${Array.from({ length: rnd(4) }, () => value(depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
    return `{${ws()}${Array.from({ length: rnd(4) }, () => `${string()}${ws()}:${ws()}${value(depth + 1)}`).join(`,${ws()}`)}${ws()}}`;
  }
  return { rnd, ws, string, value };
}
