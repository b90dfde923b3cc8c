/**
 * The heatmap's colours: a node's allocated share from EMPTY (0) to FULL (1), linearly per channel;
 * nodes not in the cluster (spare) and nodes down have their own. Tests read these exact pixels.
 */
export const EMPTY: readonly [number, number, number] = [236, 239, 241];
export const FULL: readonly [number, number, number] = [198, 40, 40];
export const ABSENT: readonly [number, number, number] = [255, 255, 255];
export const DOWN: readonly [number, number, number] = [33, 33, 33];

/** The colour of an allocated share (clamped to [0, 1]), written into `out` at `offset` as RGBA. */
export function shareColor(share: number, out: Uint8ClampedArray, offset: number): void {
  const f = share <= 0 ? 0 : share >= 1 ? 1 : share;
  out[offset] = Math.round(EMPTY[0] + (FULL[0] - EMPTY[0]) * f);
  out[offset + 1] = Math.round(EMPTY[1] + (FULL[1] - EMPTY[1]) * f);
  out[offset + 2] = Math.round(EMPTY[2] + (FULL[2] - EMPTY[2]) * f);
  out[offset + 3] = 255;
}

export function fixedColor(c: readonly [number, number, number], out: Uint8ClampedArray, offset: number): void {
  out[offset] = c[0];
  out[offset + 1] = c[1];
  out[offset + 2] = c[2];
  out[offset + 3] = 255;
}
