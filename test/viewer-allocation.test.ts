/**
 * The viewer reads a run's allocation as the run counts it: the CPU share it charts from the replay
 * (web-viewer/src/model/replay-index.ts) against the run's own time series, second by second, on the
 * Double-11 preset through its peak and outage: serverless virtual nodes and co-located batch pods (on
 * reclaimed room) allocate none of the cluster's CPU in either. (Here, not under web-viewer/ or
 * scenarios/, because it holds both ends.)
 */
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { expect, it } from "vitest";
import { ReplayIndex } from "../web-viewer/src/model/replay-index.js";

const FILE = new URL("../examples/double11/double11.yaml", import.meta.url).pathname;

it("the viewer's CPU allocation of the Double-11 replay is the run's time series, through the peak and the outage", async () => {
  const replay: string[] = [];
  const allocated = new Map<number, number>();
  // To 01:20 (t = 4800 s): past the peak, the outage at 00:05 and the window that ends at 00:15.
  await runScenario(loadScenarioFile(FILE, ["outputs.timeseriesInterval=1", "duration=80m"]), FILE, {
    onReplayLine: (l) => replay.push(l),
    onTimeseriesValues: (v) => {
      if (v[1] === "cluster") allocated.set(v[0] as number, v[5] as number);
    },
  });
  const index = ReplayIndex.parse(replay.join("\n"));
  const series = index.cpuShareSeries(4800, 4800);
  // Just before each second (by 1e-6 of it): a row is sampled before the events of its own instant
  // that come later in it (the HPA's placements at its syncs), so the viewer matches it either side,
  // except at the few instants where events fall on both sides of the sample (after the outage); counting
  // the batch pods' requests, as the viewer once did, breaks thousands.
  const before = index.cpuShareSeries(4800 * (1 - 1e-6), 4800);
  let differ = 0;
  for (const [t, share] of allocated) {
    if (Math.abs(series.share[t] - share) > 1e-6 && Math.abs(before.share[t] - share) > 1e-6) differ++;
  }
  expect(allocated.size).toBe(4801);
  expect(differ).toBeLessThanOrEqual(24);
  expect(Math.max(...series.share)).toBeLessThanOrEqual(1);
});
