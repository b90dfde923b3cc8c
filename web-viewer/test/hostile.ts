/** Hand-made hostile replays for the viewer's tests. */

/** A replay's text: a header of two 4-core nodes (fields replaced by `o`), then the event lines. */
export function hostile(o: Record<string, unknown>, ...events: string[]): string {
  const header = {
    format: "clustersim-replay",
    version: 4,
    scenario: "s",
    seed: 1,
    scheduler: "x",
    durationS: 100,
    groups: ["g"],
    nodes: [
      [0, 4000, 8192, 0, 1],
      [0, 4000, 8192, 0, 1],
    ],
    services: [["api", 0.99, 0.5]],
    pools: [0, -1],
    poolCapacityMiB: [1000],
    ...o,
  };
  return [JSON.stringify(header), ...events].join("\n");
}
