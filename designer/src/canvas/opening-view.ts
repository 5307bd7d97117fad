// Where the canvas opens: the whole flow when it fits at a readable zoom; otherwise a readable zoom anchored on the
// flow's left edge (where the trigger sits), so a long flow opens on its start instead of as a strip of specks.
// Computed from node positions and a nominal node size: nodes off screen are not rendered, so not measured.

export const READABLE_ZOOM = 0.7;
export const MAX_OPEN_ZOOM = 1;
const NODE_W = 250;
const NODE_H = 80;
const PAD = 40;

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export function openingViewport(positions: Array<{ x: number; y: number }>, size: { width: number; height: number }): Viewport | null {
  if (!positions.length || size.width <= 0 || size.height <= 0) return null;
  const minX = Math.min(...positions.map((p) => p.x));
  const minY = Math.min(...positions.map((p) => p.y));
  const w = Math.max(...positions.map((p) => p.x)) + NODE_W - minX;
  const h = Math.max(...positions.map((p) => p.y)) + NODE_H - minY;
  const room = { width: Math.max(size.width - 2 * PAD, 1), height: Math.max(size.height - 2 * PAD, 1) };
  const fit = Math.min(room.width / w, room.height / h, MAX_OPEN_ZOOM);
  const zoom = Math.max(fit, READABLE_ZOOM);
  // Centred on an axis the flow fits on at this zoom; anchored at its top-left edge on one it does not.
  const x = w * zoom <= room.width ? (size.width - w * zoom) / 2 - minX * zoom : PAD - minX * zoom;
  const y = h * zoom <= room.height ? (size.height - h * zoom) / 2 - minY * zoom : PAD - minY * zoom;
  return { x, y, zoom };
}
