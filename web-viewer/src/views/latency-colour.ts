/**
 * A service's latency against its objective as a colour: within half the target green, within the
 * target amber, past it red; grey when no request was served. The call graph and the figure strip use
 * the same scale, and the page's legend names it.
 */
export const LATENCY_COLOURS = {
  none: "#bdbdbd",
  good: "#43a047",
  near: "#ffb300",
  broken: "#e53935",
} as const;

export function latencyColour(quantileS: number, targetS: number): string {
  if (!Number.isFinite(quantileS)) return LATENCY_COLOURS.none;
  if (quantileS <= 0.5 * targetS) return LATENCY_COLOURS.good;
  return quantileS <= targetS ? LATENCY_COLOURS.near : LATENCY_COLOURS.broken;
}
