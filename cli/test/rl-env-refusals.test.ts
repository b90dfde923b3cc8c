import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Environment inputs that once gave an internal error (a trace that is a directory or empty, episodes
 * longer than the trace allows, a fractional start) or wrong spaces: each now gets one line naming the
 * field, exit 2 at load, or an error reply naming it while the server goes on.
 */
const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;
const CLIENT_DIR = new URL("../../examples/rl/", import.meta.url).pathname;
const cli = (args: string[], o: { cwd?: string; input?: string } = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", ...o });

/** A refusal: exit 2, one line on stderr, no internal error or stack trace. */
function refused(r: ReturnType<typeof cli>): string {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  return r.stderr;
}

const dir = mkdtempSync(join(tmpdir(), "clustersim-rl-refuse-"));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
};
/** A queue environment file of 32-job episodes on Lublin-1 with the given training settings. */
const envFile = (name: string, train: string) =>
  write(name, `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 32\ntrain: ${train}\n`);
const TINY = "epochs: 1, trajectories: 2, trainPiIters: 1, trainVIters: 1";

describe("train-rl refuses bad environments, by field, with exit 2", () => {
  it.each([
    [
      "a trace that is a directory",
      () => write("dir-trace.yaml", `env: queue\ntrace: ${dir}\nsequenceJobs: 32\n`),
      [],
      /EISDIR/,
    ],
    [
      "an empty trace",
      () => {
        write("empty.swf", "");
        return write("empty-trace.yaml", "env: queue\ntrace: empty.swf\nsequenceJobs: 32\n");
      },
      [],
      /empty\.swf: expected an SWF header with MaxNodes or MaxProcs \(the machine size\), found neither/,
    ],
    [
      // Lublin-1 holds 10,000 usable jobs: episodes drawn from [n, 10,000 − n − 1) need n <= 4,999.
      "episodes longer than the trace allows",
      () => write("long.yaml", `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 6000\n`),
      [],
      /long\.yaml: sequenceJobs: expected at most 4999 jobs per episode .*found 6000/,
    ],
    [
      "validation windows past the trace's end",
      () => envFile("late.yaml", `{ ${TINY}, validationStarts: [9990], validationJobs: 64 }`),
      [],
      /late\.yaml: train\.validationStarts: expected windows of train\.validationJobs \(64\) within the trace's 10000 jobs, found 9990 \+ 64/,
    ],
  ])("%s", (_, make, args, message) => {
    const file = make();
    expect(refused(cli(["train-rl", file, "--out", join(dir, "refused-out"), ...args]))).toMatch(message);
  });
});

describe("env serve: sizes at load, start at reset, spaces before reset", () => {
  /** Four nodes of 2 GPUs: 3 features per node and 3 of the pod; actions: a node, or none. */
  const scenario = write(
    "gpu.yaml",
    [
      "duration: 60s",
      "cluster:",
      "  nodeGroups:",
      '    - { name: gpu, count: 4, cpu: "32", memory: 128Gi, gpus: 2 }',
      "workloads:",
      "  - type: poisson",
      "    ratePerS: 1",
      '    task: { run: 1h, cpu: "2", memory: 4Gi, gpus: 1, gpuMilli: 500 }',
      "scheduler: { name: best-fit }",
    ].join("\n"),
  );

  it("answers spaces before the first reset with the scenario's sizes, over the protocol and in Python", () => {
    const r = cli(["env", "serve", scenario], { input: '{"spaces": {}}\n{"reset": {"seed": 1}}\n{"spaces": {}}\n' });
    expect(r.status).toBe(0);
    const [before, , after] = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(before).toEqual({ observationSize: 4 * 3 + 3, actions: 4 + 1 });
    expect(after).toEqual(before);
    const py = spawnSync(
      "python3",
      [
        "-c",
        "import sys; sys.path.insert(0, sys.argv[1]); from clustersim_env import ClusterSimEnv\n" +
          "e = ClusterSimEnv(sys.argv[2]); print(e.observation_size, e.actions); e.close()",
        CLIENT_DIR,
        scenario,
      ],
      { encoding: "utf8" },
    );
    expect(py.stderr).toBe("");
    expect(py.stdout.trim()).toBe("15 5");
  });

  it("refuses a start that is not a job index of a window within the trace, by field, and goes on", () => {
    const file = write("queue.yaml", `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 256\n`);
    const requests = [
      { reset: { seed: 1, start: 1.5 } },
      { reset: { seed: 1, start: -3 } },
      { reset: { seed: 1, start: 9745 } },
      { reset: { seed: 1, start: "x" } },
      { reset: { seed: 1.5 } },
      { reset: { seed: 1, start: 9744 } },
    ];
    const r = cli(["env", "serve", file], { input: `${requests.map((x) => JSON.stringify(x)).join("\n")}\nnull\n` });
    expect(r.status).toBe(0);
    const replies = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // 10,000 jobs, windows of 256: the last window starts at 9,744.
    const range =
      "reset: start: expected an integer job index from 0 to 9744 \\(windows of 256 jobs in the trace's 10000\\)";
    expect(replies[0].error).toMatch(new RegExp(`^${range}, found 1\\.5$`));
    expect(replies[1].error).toMatch(new RegExp(`^${range}, found -3$`));
    expect(replies[2].error).toMatch(new RegExp(`^${range}, found 9745$`));
    expect(replies[3].error).toMatch(new RegExp(`^${range}, found "x"$`));
    expect(replies[4].error).toBe("reset: seed: expected an integer >= 0, found 1.5");
    expect(replies[5].observation).toHaveLength(128 * 8);
    expect(replies[6].error).toMatch(/^expected \{"reset": \.\.\.\}/);
    expect(r.stdout).not.toMatch(/internal error/);
  });

  it("refuses a verb that is not an object and a request of two verbs, showing what it found as sent, and goes on", () => {
    const file = write("queue-verbs.yaml", `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 256\n`);
    // Raw lines: JSON.stringify would write 2^53 + 1 as 2^53, as the server's JSON.parse reads it.
    const lines = [
      '{"reset": 5}',
      '{"reset": "x"}',
      '{"reset": [1]}',
      '{"reset": true}',
      '{"reset": 0}',
      '{"step": 3}',
      '{"spaces": true}',
      '{"reset": {"seed": 1}, "step": {"action": 0}}',
      '{"reset": {"seed": 9007199254740993}}',
      '{"reset": {"seed": 1, "start": 9007199254740993}}',
      '{"reset": {"seed": 1}}',
      '{"step": {"action": "0"}}',
      '{"step": {"action": 0}}',
      '{"reset": {"sed": 1}}',
      '{"step": {"action": 0, "x": 1}}',
      '{"spaces": {"a": 1}}',
    ];
    const r = cli(["env", "serve", file], { input: `${lines.join("\n")}\n` });
    expect(r.status).toBe(0);
    const replies = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(replies).toHaveLength(lines.length);
    // These once reset with seed 0, all but the last.
    expect(replies.slice(0, 5).map((x) => x.error)).toEqual(
      ["5", '"x"', "[1]", "true", "0"].map((found) => `reset: expected an object ({"seed": 1}), found ${found}`),
    );
    expect(replies[5].error).toBe('step: expected an object ({"action": 3}), found 3');
    expect(replies[6].error).toBe("spaces: expected an object ({}), found true");
    // The step was once dropped unseen.
    expect(replies[7].error).toBe("expected one of reset, step and spaces per request, found reset and step");
    // Once "found 9007199254740992": the number JSON rounded it to, not the one sent.
    const unsafe = "a number above the largest safe integer (Number.MAX_SAFE_INTEGER, 9007199254740991)";
    expect(replies[8].error).toBe(`reset: seed: expected an integer >= 0, found ${unsafe}`);
    expect(replies[9].error).toMatch(
      new RegExp(`^reset: start: expected an integer job index .*, found ${unsafe.replace(/[().]/g, "\\$&")}$`),
    );
    expect(replies[10].observation).toHaveLength(128 * 8);
    // Once "found 0", as if the number 0 had been refused.
    expect(replies[11].error).toBe('step(): expected a slot holding a job (mask 1), found "0"');
    expect(replies[12].reward).toBe(0);
    // A field a verb does not take, a typo's: `sed` once reset with seed 0.
    expect(replies.slice(13).map((x) => x.error)).toEqual([
      'reset: expected only seed and start, found "sed"',
      'step: expected only action, found "x"',
      'spaces: expected no field, found "a"',
    ]);
    expect(r.stdout).not.toMatch(/internal error/);
  });

  it("quotes a string action in the placement environment too", () => {
    const r = cli(["env", "serve", scenario], { input: '{"reset": {"seed": 1}}\n{"step": {"action": "0"}}\n' });
    const replies = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(replies[1].error).toBe('step(): expected an action in 0..4 (4: no node), found "0"');
  });

  it("refuses, at load, episodes longer than the trace allows", () => {
    const file = write("long-serve.yaml", `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 6000\n`);
    expect(refused(cli(["env", "serve", file], { input: "" }))).toMatch(
      /long-serve\.yaml: sequenceJobs: expected at most 4999 jobs per episode/,
    );
  });
});
