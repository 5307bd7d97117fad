// Test helpers for indexed reads under noUncheckedIndexedAccess: a missing element fails the test where it is read,
// with what was expected, instead of a TypeError further down.

/** `xs[i]`, or a thrown error naming what was missing. */
export function nth<T>(xs: readonly T[], i: number, what = 'element'): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`expected ${what} ${i} of ${xs.length}`);
  return x;
}

/** `x`, or a thrown error naming what was missing. */
export function defined<T>(x: T | undefined, what = 'value'): T {
  if (x === undefined) throw new Error(`expected ${what}`);
  return x;
}
