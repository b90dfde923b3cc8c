import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adamState, adamStep } from "@clustersim/engine";
import {
  type DqnCurveRow,
  evaluateQueue,
  InputError,
  KernelNetworks,
  PUBLISHED_STARTS,
  type QLearningSettings,
  QueueEnv,
  qLearningLoss,
  ReplayMemory,
  type RlCheckpoint,
  readCompatJobs,
  type StoredEpisode,
  type TrainRlResult,
  type Trajectory,
  targetValue,
  trainRl,
} from "@clustersim/rl";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";
import { readEnvFile } from "./env-file.js";

const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;

/** An episode of random states: `counts[i]` jobs shown at decision i, a random action, rewards given. */
function randomEpisode(counts: number[], rewards: number[], seed: number): Trajectory {
  const rng = new RandomStreams(seed).get("dqn-test");
  const rows = Float32Array.from({ length: counts.reduce((s, c) => s + c * 8, 0) }, () => rng.next());
  return {
    count: Int32Array.from(counts),
    rows,
    action: Int32Array.from(counts, (c) => Math.floor(rng.next() * c)),
    logp: new Float64Array(counts.length),
    value: new Float64Array(0),
    rewards: Float64Array.from(rewards),
    reward: rewards.reduce((s, r) => s + r, 0),
    metrics: {},
  };
}

function stored(t: Trajectory): StoredEpisode {
  const m = new ReplayMemory(1_000_000);
  m.add(t);
  return m.locate(0).episode;
}

function envFile(train: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-dqn-"));
  const file = join(dir, "env.yaml");
  writeFileSync(file, `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 64\ntrain: ${train}\n`);
  return file;
}

describe("DQN on the queue environment", () => {
  it("bootstraps n-step targets from the target network, and not past the episode's end (worked by hand)", () => {
    const nets = new KernelNetworks();
    const ws = nets.workspace();
    // A target network of zero weights and a last bias of 2 values every job at 2.
    const target = new Float64Array(nets.paramCount);
    target[nets.actorParams - 1] = 2;
    const params = nets.init(new RandomStreams(3).get("init"));
    const e = stored(randomEpisode([5, 3, 7], [0, 0, -300], 1));
    const s: QLearningSettings = { gamma: 0.5, rewardScale: 100, nStep: 2, double: false, huberDelta: 1 };
    // t = 0: rewards 0 and 0, then γ² × Q_target(s_2) = 0.25 × 2.
    expect(targetValue(nets, params, target, ws, e, 0, s)).toBeCloseTo(0.5, 12);
    // t = 1: 0 + γ × (−300 / 100), and the episode ends: nothing to bootstrap.
    expect(targetValue(nets, params, target, ws, e, 1, s)).toBeCloseTo(-1.5, 12);
    expect(targetValue(nets, params, target, ws, e, 2, s)).toBeCloseTo(-3, 12);
    // One step with double Q-learning: the target network's value (2, whichever job) at the next state.
    expect(targetValue(nets, params, target, ws, e, 0, { ...s, nStep: 1, double: true })).toBeCloseTo(1, 12);
  });

  it("values the next state at the Q-network's pick with double Q-learning, at the target's best without", () => {
    const nets = new KernelNetworks();
    const ws = nets.workspace();
    const params = nets.init(new RandomStreams(3).get("online"));
    const target = nets.init(new RandomStreams(4).get("target"));
    const e = stored(randomEpisode([5, 9], [0, -100], 6));
    const s: QLearningSettings = { gamma: 1, rewardScale: 100, nStep: 1, double: true, huberDelta: 1 };
    // The next state's 9 jobs as each network scores them (the second decision's rows).
    const next = e.rows.subarray(e.rowAt[1]!);
    const online = Array.from(nets.actor.forward(params, next, 9, ws.actor).subarray(0, 9));
    const valued = Array.from(nets.actor.forward(target, next, 9, ws.actor).subarray(0, 9));
    const pick = online.indexOf(Math.max(...online));
    // These networks disagree on the best job, so the two rules give different targets.
    expect(valued[pick]).not.toBe(Math.max(...valued));
    expect(targetValue(nets, params, target, ws, e, 0, s)).toBeCloseTo(valued[pick]!, 12);
    expect(targetValue(nets, params, target, ws, e, 0, { ...s, double: false })).toBeCloseTo(Math.max(...valued), 12);
  });

  it("has the gradient of its Huber loss that central finite differences give", () => {
    const nets = new KernelNetworks();
    const ws = nets.workspace();
    for (const [seed, settings] of [
      [1, { gamma: 1, rewardScale: 1, nStep: 1, double: true, huberDelta: 1 }],
      [2, { gamma: 0.9, rewardScale: 10, nStep: 3, double: false, huberDelta: 0.05 }],
    ] as const) {
      const rng = new RandomStreams(seed).get("fd");
      const params = nets.init(rng);
      for (let i = 0; i < params.length; i++) params[i] += rng.normal(0, 0.05);
      const target = nets.init(rng);
      const m = new ReplayMemory(1000);
      m.add(randomEpisode([4, 9, 1, 6, 2], [0, 0, 0, 0, -7], seed));
      m.add(randomEpisode([3, 3, 12], [0, 0, -2], seed + 10));
      const batch = m.sample(12, rng);
      const grad = new Float64Array(nets.paramCount);
      qLearningLoss(nets, params, target, grad, ws, batch, settings);
      const loss = (p: Float64Array) =>
        qLearningLoss(nets, p, target, new Float64Array(nets.paramCount), ws, batch, settings);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < nets.actorParams; i++) {
        const h = 1e-6;
        const up = Float64Array.from(params);
        const down = Float64Array.from(params);
        up[i] += h;
        down[i] -= h;
        const numeric = (loss(up) - loss(down)) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - grad[i]!));
        scale = Math.max(scale, Math.abs(grad[i]!));
      }
      expect(scale).toBeGreaterThan(0);
      expect(worst / scale).toBeLessThan(1e-5);
      // The critic's part is untouched: the loss does not depend on it.
      expect(grad.subarray(nets.actorParams).every((g) => g === 0)).toBe(true);
    }
  });

  it("keeps whole episodes, drops the oldest first, and samples decisions uniformly", () => {
    const m = new ReplayMemory(10);
    m.add(randomEpisode([1, 1, 1, 1], [0, 0, 0, 0], 1));
    m.add(randomEpisode([2, 2, 2, 2], [0, 0, 0, 0], 2));
    expect(m.size).toBe(8);
    m.add(randomEpisode([3, 3, 3], [0, 0, 0], 3)); // 11 > 10: the first episode leaves
    expect(m.size).toBe(7);
    expect(m.locate(0).episode.count[0]).toBe(2);
    expect(m.locate(4)).toMatchObject({ index: 0 });
    expect(m.locate(4).episode.count[0]).toBe(3);
    m.add(randomEpisode(Array(12).fill(1), Array(12).fill(0), 4)); // larger than the memory: kept alone
    expect(m.size).toBe(12);
    // 12,000 draws over 12 decisions: each about 1,000 times (binomial sd 29).
    const hits = new Array(12).fill(0);
    for (const d of m.sample(12_000, new RandomStreams(5).get("replay"))) hits[d.index]++;
    for (const h of hits) expect(Math.abs(h - 1000)).toBeLessThan(150);
  });

  it("learns the Q-values of a two-step problem whose values are known, bootstrapping through the target network", () => {
    // Each episode: two decisions of two jobs each, job A (feature 0 = 0.9) and job B (0.1); feature 1
    // says which decision it is. A at the first pays 0.5 at once; A at the second pays 1 at the end.
    // With γ = 1: Q(first, A) = 0.5 + 1 = 1.5, Q(first, B) = 0 + 1 = 1, Q(second, A) = 1, Q(second, B) = 0.
    const nets = new KernelNetworks();
    const ws = nets.workspace();
    const rng = new RandomStreams(4).get("known-q");
    const job = (a: boolean, second: boolean) => [a ? 0.9 : 0.1, second ? 1 : 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const memory = new ReplayMemory(10_000);
    for (let k = 0; k < 400; k++) {
      // Slot order varies, so the network must read the features, not the slot.
      const flip = [rng.next() < 0.5, rng.next() < 0.5];
      const action = [Math.floor(rng.next() * 2), Math.floor(rng.next() * 2)];
      const isA = (d: number) => (action[d] === 0) !== flip[d];
      const rows = [0, 1].flatMap((d) => [...job(!flip[d], d === 1), ...job(flip[d]!, d === 1)]);
      memory.add({
        count: Int32Array.from([2, 2]),
        rows: Float32Array.from(rows),
        action: Int32Array.from(action),
        logp: new Float64Array(2),
        value: new Float64Array(0),
        rewards: Float64Array.from([isA(0) ? 0.5 : 0, isA(1) ? 1 : 0]),
        reward: 0,
        metrics: {},
      });
    }
    const params = nets.init(new RandomStreams(5).get("init"));
    const target = Float64Array.from(params);
    const adam = adamState(3e-3, nets.actorParams);
    const grad = new Float64Array(nets.paramCount);
    const settings: QLearningSettings = { gamma: 1, rewardScale: 1, nStep: 1, double: true, huberDelta: 10 };
    for (let u = 1; u <= 3000; u++) {
      grad.fill(0);
      qLearningLoss(nets, params, target, grad, ws, memory.sample(32, rng), settings);
      adamStep(adam, params, grad, 0);
      if (u % 50 === 0) target.set(params.subarray(0, nets.actorParams));
    }
    const q = (second: boolean) =>
      Array.from(nets.actor.forward(params, [...job(true, second), ...job(false, second)], 2, ws.actor));
    const [firstA, firstB] = q(false);
    const [secondA, secondB] = q(true);
    expect(firstA).toBeCloseTo(1.5, 1);
    expect(firstB).toBeCloseTo(1, 1);
    expect(secondA).toBeCloseTo(1, 1);
    expect(secondB).toBeCloseTo(0, 1);
  });

  it("trains reproducibly, and its agent is a queue checkpoint evaluated as PPO's are", async () => {
    const file = envFile(
      "{ algorithm: dqn, epochs: 3, trajectories: 4, rewardScale: 1000, seed: 1, dqn: { updates: 20, batchSize: 16, epsilonEpochs: 2, targetEvery: 10 } }",
    );
    const a = (await trainRl(file, readEnvFile(file), { out: join(file, "..", "a") })) as TrainRlResult;
    const b = (await trainRl(file, readEnvFile(file), { out: join(file, "..", "b") })) as TrainRlResult;
    const read = (d: string) => readFileSync(join(d, "checkpoint.json"), "utf8");
    expect(read(b.dir)).toBe(read(a.dir));
    const c = JSON.parse(read(a.dir)) as RlCheckpoint;
    const curve = c.curve as unknown as DqnCurveRow[];
    expect(c.train.algorithm).toBe("dqn");
    // Its DQN settings as used, the defaults written out.
    expect(c.train.dqn).toMatchObject({ updates: 20, batchSize: 16, lr: 1e-3, nStep: 1, double: true, replay: 50_000 });
    // ε from 1 to 0.05 over 2 epochs: 1, then 1 − 0.95 / 2, then 0.05; 4 episodes of 64 decisions each.
    [1, 0.525, 0.05].forEach((x, i) => expect(curve[i]!.epsilon).toBeCloseTo(x, 12));
    expect(curve.map((r) => r.replay)).toEqual([256, 512, 768]);
    const t = await readCompatJobs(LUBLIN1);
    const rows = evaluateQueue(
      (backfill) => new QueueEnv({ ...t, backfill, sequenceJobs: 256 }),
      { trace: "lublin_256", ...t, starts: PUBLISHED_STARTS.slice(0, 2), windowJobs: 256 },
      [{ name: "dqn", checkpoint: c }],
    );
    expect(rows.find((x) => x.policy === "dqn")!.windows).toHaveLength(2);
  });

  it("refuses what it would not read: PPO's settings, a resume, other worker counts", async () => {
    expect(() => readEnvFile(envFile("{ algorithm: dqn, clipRatio: 0.1 }"))).toThrow(
      /"clipRatio"[\s\S]*algorithm: dqn does not read/,
    );
    expect(() => readEnvFile(envFile("{ algorithm: dqn, workers: 2 }"))).toThrow(/"workers"[\s\S]*one thread/);
    expect(() => readEnvFile(envFile("{ dqn: { lr: 0.01 } }"))).toThrow(/"dqn"[\s\S]*read only with algorithm: dqn/);
    const file = envFile("{ algorithm: dqn, epochs: 1, trajectories: 1, dqn: { updates: 1 } }");
    await expect(trainRl(file, readEnvFile(file), { resume: "x.json" })).rejects.toThrow(InputError);
    await expect(trainRl(file, readEnvFile(file), { resume: "x.json" })).rejects.toThrow(/replay memory is not kept/);
    await expect(trainRl(file, readEnvFile(file), { workers: 2 })).rejects.toThrow(
      /--workers: DQN plays its episodes in one thread/,
    );
  });
});
