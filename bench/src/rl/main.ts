/**
 * bench/rl: environment steps per second while training plays its episodes, on one worker thread and
 * on two (target: two ≥ 1.7× one); the peer is the same work on one worker. Episodes are played with
 * fresh weights, sampling actions as training does:
 * - queue (default): RLScheduler's environment on Lublin-1, 256 jobs each, no backfilling, the kernel
 *   policy;
 * - packing (`--env packing`): GPU placement under FGD's protocol as examples/rl/placement-openb.yaml
 *   trains (64-node episodes of the gpushare40 list), the placement networks.
 *
 * Usage: npm run -s bench:rl -- [--json] [--episodes N] [--env queue|packing]
 */
import { episodeSeeds, KernelNetworks, PlacementNetworks, PpoConfig, workerCompute } from "@clustersim/rl";
import { loadPackingEnvConfig, loadQueueEnvConfig } from "@clustersim/scenarios";
import { RandomStreams } from "@clustersim/sim-core";
import { benchArgs } from "../lib/args.js";
import { table } from "../lib/format.js";

const { values } = benchArgs("rl", {
  options: {
    json: { type: "boolean", default: false },
    episodes: { type: "string", default: "32" },
    env: { type: "string", default: "queue" },
  },
});
if (values.env !== "queue" && values.env !== "packing")
  throw new Error(`--env: expected queue or packing, found ${values.env}`);
const packing = values.env === "packing";
const example = (f: string) => new URL(`../../../examples/rl/${f}`, import.meta.url).pathname;
// Queue episodes of 256 jobs, as the paper trains, whatever the example file trains on.
const config = packing
  ? loadPackingEnvConfig(example("placement-openb.yaml"))
  : { ...loadQueueEnvConfig(example("queue-lublin1.yaml")), sequenceJobs: 256 };
const train = PpoConfig.parse({ trajectories: Number(values.episodes), seed: 1 });
const nets = packing ? new PlacementNetworks(64) : new KernelNetworks();
const params = nets.init(new RandomStreams(1).get("bench-rl"));
const jobs = episodeSeeds(train, 0);

async function measure(workers: number): Promise<{ steps: number; wallS: number }> {
  const compute = workerCompute(config, workers, train.clipRatio);
  try {
    await compute.episodes(params, jobs.slice(0, workers)); // each worker reads the trace first
    const t0 = performance.now();
    const t = await compute.episodes(params, jobs);
    return { steps: t.reduce((s, x) => s + x.action.length, 0), wallS: (performance.now() - t0) / 1000 };
  } finally {
    await compute.close();
  }
}

const one = await measure(1);
const two = await measure(2);
const result = {
  env: values.env,
  episodes: jobs.length,
  steps: one.steps,
  stepsPerS1: Math.round(one.steps / one.wallS),
  stepsPerS2: Math.round(two.steps / two.wallS),
  speedup: Number((one.wallS / two.wallS).toFixed(2)),
};
if (two.steps !== one.steps) throw new Error("one and two workers played different episodes");
if (values.json) console.log(JSON.stringify(result));
else {
  const what = packing ? "placement on 64 nodes" : "256 jobs";
  console.log(`${jobs.length} training episodes of ${what} (${one.steps} decisions):`);
  console.log(
    table(
      ["workers", "peer", "steps/s", "wall s"],
      [
        ["1", "peer", String(result.stepsPerS1), one.wallS.toFixed(2)],
        ["2", "", String(result.stepsPerS2), two.wallS.toFixed(2)],
      ],
    ),
  );
  console.log(`two workers / one: ${result.speedup}× (target ≥ 1.7×)`);
}
