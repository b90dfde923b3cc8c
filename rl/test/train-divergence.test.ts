import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  KernelNetworks,
  PpoConfig,
  ppoUpdate,
  type RlCompute,
  TrainingDiverged,
  type Trajectory,
  trainRl,
  trainState,
} from "@clustersim/rl";
import { describe, expect, it } from "vitest";
import { readEnvFile } from "./env-file.js";

const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;

/** An environment file of 32-job episodes on Lublin-1, and the directory it is in. */
function envFile(train: string): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-rl-nan-"));
  const file = join(dir, "env.yaml");
  writeFileSync(file, `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 32\ntrain: ${train}\n`);
  return { file, dir };
}

/** The smallest training that reaches PPO's update: one epoch of two episodes, one step of each kind. */
const TINY = "epochs: 1, trajectories: 2, trainPiIters: 1, trainVIters: 1";

const failure = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the training to stop");
};

describe("a training whose numbers stop being finite stops, named, and writes no such checkpoint", () => {
  it("rewardScale 1e-320: the scaled rewards overflow, and epoch 1 stops before any weight moves", async () => {
    // Bounded slowdowns are at least 1, so the final reward is <= -1, and -1 / 1e-320 is -Infinity.
    const { file, dir } = envFile(`{ ${TINY}, rewardScale: 1e-320 }`);
    const out = join(dir, "out");
    const err = await failure(trainRl(file, readEnvFile(file), { out }));
    expect(err).toBeInstanceOf(TrainingDiverged);
    expect(err.message).toMatch(
      /^training stopped at epoch 1: the returns are not finite \(-Infinity at decision \d+ of \d+\): the rewards divided by train\.rewardScale \(1e-320\) overflow; no checkpoint was written$/,
    );
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it("rewardScale 1e-300: the returns stay finite, their squared error does not: the value loss is named", async () => {
    // Returns of about -300 / 1e-300 = -3e302 against values near 0: their square, ~1e605, is Infinity.
    const { file, dir } = envFile(`{ ${TINY}, rewardScale: 1e-300 }`);
    const err = await failure(trainRl(file, readEnvFile(file), { out: join(dir, "out") }));
    expect(err.message).toMatch(
      /^training stopped at epoch 1, value step 1: the value loss is Infinity; no checkpoint was written$/,
    );
  });

  it("an actor of huge (finite) weights resumed: epoch 2 stops at its policy loss, the checkpoint left as it was", async () => {
    const { file, dir } = envFile(`{ epochs: 2, trajectories: 2, trainPiIters: 1, trainVIters: 1 }`);
    const config = readEnvFile(file);
    const first = await trainRl(file, config, { out: join(dir, "first"), epochs: 1 });
    const path = join(first.dir, "checkpoint.json");
    const c = JSON.parse(readFileSync(path, "utf8"));
    // The actor's second and third layers' weights (288 to 799, 816 to 943: after each, its biases) at
    // 1e200: the third layer's outputs overflow to Infinity, and the last layer's weights of both signs
    // add them up to NaN (Infinity − Infinity), so the policy's log-probabilities are NaN.
    for (let i = 288; i < 800; i++) c.params[i] = 1e200;
    for (let i = 816; i < 944; i++) c.params[i] = 1e200;
    const text = JSON.stringify(c);
    writeFileSync(path, text);
    const err = await failure(trainRl(file, config, { out: first.dir, resume: path }));
    expect(err.message).toMatch(/^training stopped at epoch 2, policy step 1: the policy loss is NaN; /);
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});

describe("PPO's update names the quantity that is not finite", () => {
  const nets = new KernelNetworks();
  const train = PpoConfig.parse({ trainPiIters: 1, trainVIters: 1 });
  /** One episode of two decisions of one job each, the reward at the end (the stub computes nothing from it). */
  const episode: Trajectory = {
    count: Int32Array.of(1, 1),
    rows: new Float32Array(16),
    action: Int32Array.of(0, 0),
    logp: Float64Array.of(0, 0),
    value: Float64Array.of(0, 0),
    rewards: Float64Array.of(0, -2),
    reward: -2,
    metrics: {},
  };
  /** Gradients as given, whatever the parameters: a NaN placed where the test wants it. */
  const stub = (policy: Float64Array, value: Float64Array, loss = 0.5): RlCompute => ({
    episodes: async () => [],
    gradients: async (kind) => [{ grad: kind === "policy" ? policy : value, loss, kl: 0 }],
    close: async () => {},
  });

  it("a NaN in the policy gradient, by the layer and element that hold it", async () => {
    // The actor's second layer starts at 8 × 32 + 32 = 288 and is 16 rows of 32: [1][3] is 288 + 35.
    const policy = new Float64Array(nets.paramCount);
    policy[323] = Number.NaN;
    const s = trainState(train, undefined, nets);
    await expect(ppoUpdate(s, train, [episode], stub(policy, new Float64Array(nets.paramCount)))).rejects.toThrow(
      /^epoch 1, policy step 1: the policy gradient of actor\.layer2\.weight\[1\]\[3\] is NaN$/,
    );
  });

  it("an infinite value gradient in the critic's head, and a NaN policy loss", async () => {
    // The critic's head starts after both kernels (2 × 961); its last bias is the very last parameter.
    const value = new Float64Array(nets.paramCount);
    value[nets.paramCount - 1] = Number.NEGATIVE_INFINITY;
    const s = trainState(train, undefined, nets);
    await expect(ppoUpdate(s, train, [episode], stub(new Float64Array(nets.paramCount), value))).rejects.toThrow(
      /^epoch 1, value step 1: the value gradient of critic\.head\.layer4\.bias\[0\] is -Infinity$/,
    );
    const zero = new Float64Array(nets.paramCount);
    await expect(
      ppoUpdate(trainState(train, undefined, nets), train, [episode], stub(zero, zero, Number.NaN)),
    ).rejects.toThrow(/^epoch 1, policy step 1: the policy loss is NaN$/);
  });
});
