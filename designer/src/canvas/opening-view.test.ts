import { describe, expect, it } from 'vitest';
import { openingViewport, READABLE_ZOOM } from './opening-view.ts';

describe('the canvas opening view', () => {
  it('shows a small flow whole, never zoomed in past 100 %', () => {
    const v = openingViewport(
      [
        { x: 0, y: 0 },
        { x: 300, y: 0 },
      ],
      { width: 1000, height: 600 },
    )!;
    expect(v.zoom).toBe(1);
    // Centred: the flow spans 550 px, so 225 px either side.
    expect(v.x).toBeCloseTo(225);
  });

  it('a long flow opens at a readable zoom on its left edge (the trigger), not shrunk to fit', () => {
    const nodes = Array.from({ length: 10 }, (_, i) => ({ x: 100 + i * 280, y: i % 2 ? 120 : 0 }));
    const v = openingViewport(nodes, { width: 700, height: 500 })!;
    expect(v.zoom).toBe(READABLE_ZOOM);
    // The leftmost node is on screen at the padding, whatever its flow x.
    expect(100 * v.zoom + v.x).toBeCloseTo(40);
    // Vertically the flow fits, so it is centred.
    const top = 0 * v.zoom + v.y;
    const bottom = (120 + 80) * v.zoom + v.y;
    expect(top).toBeCloseTo(500 - bottom);
  });

  it('between readable and 100 %: fits the whole flow', () => {
    const v = openingViewport(
      [
        { x: 0, y: 0 },
        { x: 1000, y: 0 },
      ],
      { width: 1100, height: 600 },
    )!;
    expect(v.zoom).toBeGreaterThan(READABLE_ZOOM);
    expect(v.zoom).toBeLessThan(1);
    expect(v.zoom).toBeCloseTo(1020 / 1250);
  });

  it('nothing to show: no view', () => {
    expect(openingViewport([], { width: 800, height: 600 })).toBeNull();
    expect(openingViewport([{ x: 0, y: 0 }], { width: 0, height: 0 })).toBeNull();
  });
});
