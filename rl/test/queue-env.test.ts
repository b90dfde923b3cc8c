import { JOB_FEATURES, MAX_QUEUE_SIZE, PUBLISHED_STARTS, QueueEnv, readCompatJobs } from "@clustersim/rl";
import { type CompatJob, runCompatWindow } from "@clustersim/schedulers";
import { beforeAll, describe, expect, it } from "vitest";

const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;

let trace: Awaited<ReturnType<typeof readCompatJobs>>;
beforeAll(async () => {
  trace = await readCompatJobs(LUBLIN1);
});

/** The slot of the visible job SJF would pick: shortest requested time, then earliest submit. */
function sjfSlot(env: QueueEnv): number {
  const jobs = env.visibleJobs;
  let best = 0;
  for (let i = 1; i < jobs.length; i++) {
    const a = jobs[i]!;
    const b = jobs[best]!;
    if (a.reqTimeS < b.reqTimeS || (a.reqTimeS === b.reqTimeS && a.submitS < b.submitS)) best = i;
  }
  return best;
}

/** Play one episode with `pick`; the per-step observations' checksums and the rewards. */
function play(env: QueueEnv, seed: number, pick: (env: QueueEnv, mask: Uint8Array) => number, start?: number) {
  let { observation, info } = env.reset(seed, start);
  const sums: number[] = [];
  const rewards: number[] = [];
  for (;;) {
    sums.push(observation.reduce((s, x, i) => s + x * ((i % 97) + 1), 0));
    const r = env.step(pick(env, info.mask));
    rewards.push(r.reward);
    if (r.terminated) return { sums, rewards, info: r.info };
    observation = r.observation;
    info = r.info;
  }
}

describe("the queue environment (RLScheduler's, over the compatibility profile)", () => {
  it("rewards an episode with exactly the window's score: SJF through the environment is runCompatWindow's SJF", () => {
    for (const backfill of [false, true]) {
      const env = new QueueEnv({ ...trace, backfill, sequenceJobs: 1024 });
      for (const start of PUBLISHED_STARTS.slice(0, 3)) {
        const played = play(env, 1, sjfSlot, start);
        const direct = runCompatWindow(trace.jobs, start, 1024, { ...trace, backfill, policy: "sjf" });
        expect(played.rewards.at(-1)).toBe(-direct.boundedSlowdown);
        expect(played.info.boundedSlowdown).toBe(direct.boundedSlowdown);
        expect(played.info.utilisation).toBe(direct.utilisation);
        // Every reward before the last is 0; one step per job, fewer when jobs were backfilled.
        expect(played.rewards.slice(0, -1).every((r) => r === 0)).toBe(true);
        if (backfill) expect(played.rewards.length).toBeLessThanOrEqual(1024);
        else expect(played.rewards.length).toBe(1024);
      }
    }
  });

  it("gives the same episode for the same seed, and another for another seed", () => {
    const env = new QueueEnv({ ...trace, backfill: false });
    const first = (_env: QueueEnv, mask: Uint8Array) => mask.indexOf(1);
    const a = play(env, 7, first);
    const b = play(env, 7, first);
    expect(b).toEqual(a);
    expect(env.startOf(7)).toBe(env.startOf(7));
    expect(play(env, 8, first).sums).not.toEqual(a.sums);
    // Starts as the original draws them: within [256, jobs - 256 - 1).
    for (let seed = 0; seed < 200; seed++) {
      const s = env.startOf(seed);
      expect(s).toBeGreaterThanOrEqual(256);
      expect(s).toBeLessThan(trace.jobs.length - 257);
    }
  });

  it("masks the empty slots and refuses them", () => {
    const env = new QueueEnv({ ...trace, backfill: false });
    const { info, observation } = env.reset(3);
    const n = env.visibleJobs.length;
    expect(n).toBeGreaterThan(0);
    expect([...info.mask].filter((m) => m === 1).length).toBe(n);
    for (let i = n; i < MAX_QUEUE_SIZE; i++) {
      expect(info.mask[i]).toBe(0);
      expect([...observation.subarray(i * JOB_FEATURES, (i + 1) * JOB_FEATURES)]).toEqual([0, 1, 1, 1, 1, 1, 1, 0]);
      expect(() => env.step(i)).toThrow(/expected a slot holding a job/);
    }
    expect(() => env.step(-1)).toThrow(RangeError);
    expect(() => env.step(0.5)).toThrow(RangeError);
  });

  it("shows each job's features as the original computes them", () => {
    // Two nodes of 4 processors; job 0 runs 100 s on 8 processors, jobs 1..3 arrive while it runs.
    const jobs: CompatJob[] = Array.from({ length: 12 }, (_, i) => ({
      id: i,
      submitS: i * 10,
      runS: i === 0 ? 100 : 50,
      reqTimeS: i === 0 ? 200 : 40 + i,
      procs: i % 2 === 0 ? 8 : 4,
      reqMemKiB: i === 2 ? 1000 : -1,
      user: i,
      group: -1,
      executable: 3,
    }));
    const env = new QueueEnv({ jobs, nodes: 2, procsPerNode: 4, backfill: false, sequenceJobs: 4 });
    env.reset(0, 0);
    // Job 0 fits and is chosen; the next decision comes at job 1's arrival (10 s), job 0 still running.
    const r = env.step(0);
    const f = [...r.observation.subarray(0, JOB_FEATURES)];
    const hi = 1 - 1e-5;
    // wait 0 s; request 41 s of the longest run (100 s); 4 of 8 processors; memory unknown; user 1 of 11;
    // group unknown; executable 3 of 3 (capped); does not fit (both nodes busy).
    const expected = [0, 41 / 100, 4 / 8, 1, 1 / 11, 1, hi, 1e-5];
    f.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
    expect(r.info.timeS).toBe(10);
  });
});
