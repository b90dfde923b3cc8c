import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  fgdPackingEnv,
  type LoadedPackingConfig,
  localCompute,
  meanMetric,
  type PlacementCheckpoint,
  PlacementNetworks,
  packingChoices,
  placementValidator,
  playPackingEpisode,
  readFgdData,
  rlTaskOf,
  rollouts,
  type TrainRlOptions,
  trainRl as trainAny,
  trainState,
} from "@clustersim/rl";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";
import { readEnvFile } from "./env-file.js";

/** Training of an environment file, read as train-rl reads it. */
const trainRl = (file: string, o: TrainRlOptions) => trainAny(file, readEnvFile(file), o);

const OPENB = new URL("../../../shared/traces/alibaba-gpu-v2023/", import.meta.url).pathname;
const PODS = `${OPENB}openb_pod_list_gpushare40.csv`;
const NODES = `${OPENB}openb_node_list_gpu_node.csv`;

/** A packing environment file of 32-node episodes with the given training settings. */
function envFile(train: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-placement-"));
  const file = join(dir, "env.yaml");
  writeFileSync(file, `env: packing\npods: ${PODS}\nnodes: ${NODES}\nnodesPerEpisode: 32\ntrain: ${train}\n`);
  return file;
}

const VALIDATION = [101, 102, 103, 104, 105, 106];

describe("train-rl: PPO on the packing environment", () => {
  it("a short training places more GPUs than a uniformly random policy on unseen episodes", async () => {
    const file = envFile(
      `{ epochs: 5, trajectories: 16, trainPiIters: 10, trainVIters: 10, piLr: 0.001, seed: 1, validationSeeds: [${VALIDATION}] }`,
    );
    const r = await trainRl(file, { out: join(file, "..", "out") });
    const c = r.checkpoint as PlacementCheckpoint;
    // The random policy on the same validation episodes: a node drawn uniformly among those the pod fits.
    const env = fgdPackingEnv(await readFgdData(PODS, NODES), 1.3, 32);
    let random = 0;
    for (const seed of VALIDATION) {
      const rng = new RandomStreams(seed).fresh("random-policy");
      let { info } = env.reset(seed);
      while (info.candidates.length > 0)
        info = env.step(info.candidates[Math.floor(rng.next() * info.candidates.length)]!).info;
      random += info.allocation / VALIDATION.length;
    }
    // And the untrained networks (the training's first parameters), acting greedily.
    const nets = new PlacementNetworks(32);
    const init = nets.init(new RandomStreams(1).get("rl/init"));
    let untrained = 0;
    for (const seed of VALIDATION)
      untrained +=
        playPackingEpisode(env, nets, init, nets.workspace(), { seed, choice: "greedy" }).metrics.allocation! /
        VALIDATION.length;
    expect(c.best!.validationAllocation).toBeGreaterThan(random + 0.02);
    expect(c.best!.validationAllocation).toBeGreaterThan(untrained + 0.05);
    const curve = readFileSync(join(r.dir, "curve.csv"), "utf8").trim().split("\n");
    expect(curve[0]).toBe(
      "epoch,episodes,meanReward,meanAllocation,meanFailedPods,policyLoss,valueLoss,kl,piIters,validationAllocation",
    );
    expect(curve).toHaveLength(6);
  });

  it("resumes to the very bytes of an uninterrupted training, and one worker trains what two do", async () => {
    const file = envFile(
      "{ epochs: 2, trajectories: 4, trainPiIters: 2, trainVIters: 2, seed: 3, validationSeeds: [7] }",
    );
    const whole = await trainRl(file, { out: join(file, "..", "whole"), workers: 2 });
    const half = await trainRl(file, { out: join(file, "..", "half"), epochs: 1, workers: 1 });
    const resumed = await trainRl(file, {
      out: join(file, "..", "half"),
      resume: join(half.dir, "checkpoint.json"),
      workers: 1,
    });
    expect(resumed.epochsRun).toBe(1);
    for (const f of ["checkpoint.json", "curve.csv", "curve.svg", "agent.json"])
      expect(readFileSync(join(resumed.dir, f), "utf8"), f).toBe(readFileSync(join(whole.dir, f), "utf8"));
  });

  it("ships an agent that its documented command trains: its settings, epoch 1's episodes figure for figure, and its validation figure", async () => {
    // As for the queue agent (train-rl.test.ts): the training's two ends. Epoch 1's episodes come from
    // the file's seed alone; the shipped parameters score, on the validation seeds, the curve's best.
    const file = new URL("../../examples/rl/placement-openb.yaml", import.meta.url).pathname;
    const config = readEnvFile(file) as LoadedPackingConfig;
    const shipped = JSON.parse(
      readFileSync(new URL("../../examples/rl/ppo-placement-openb.json", import.meta.url), "utf8"),
    ) as PlacementCheckpoint;
    const { workers: _, ...settings } = config.train;
    expect(shipped.train).toEqual(settings);
    expect(shipped.task).toBe("placement");

    const data = await readFgdData(config.podsPath, config.nodesPath);
    const nets = new PlacementNetworks(packingChoices(config, data.nodes.length));
    const compute = localCompute(await rlTaskOf(config), config.train.clipRatio);
    const episodes = await rollouts(compute, trainState(config.train, undefined, nets), config.train, 0);
    const first = shipped.curve[0]!;
    expect(episodes).toHaveLength(first.episodes);
    expect(meanMetric(episodes, "allocation")).toBe(first.meanAllocation);
    expect(meanMetric(episodes, "failedPods")).toBe(first.meanFailedPods);
    expect(episodes.reduce((x, e) => x + e.reward, 0) / episodes.length).toBe(first.meanReward);

    const best = shipped.curve.reduce((b, row) => (row.validationAllocation > b.validationAllocation ? row : b));
    expect(shipped.epoch).toBe(best.epoch);
    expect(placementValidator(config, data)!(Float64Array.from(shipped.params))).toBe(best.validationAllocation);
  });
});
