import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CheckpointNeeds,
  checkCheckpoint,
  InputError,
  KernelNetworks,
  kernelAgent,
  loadCheckpoint,
  PlacementNetworks,
  placementAgent,
} from "@clustersim/rl";
import { describe, expect, it } from "vitest";

const QUEUE_FILE = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
const PLACEMENT_FILE = new URL("../../examples/rl/ppo-placement-openb.json", import.meta.url).pathname;
const QUEUE_TEXT = readFileSync(QUEUE_FILE, "utf8");
const queueAgent = () => JSON.parse(QUEUE_TEXT);
const placement = () => JSON.parse(readFileSync(PLACEMENT_FILE, "utf8"));

// Sizes by hand from the layer widths (weights in × out, then out biases per layer):
// kernel 8-32-16-8-1: 256 + 32 + 512 + 16 + 128 + 8 + 8 + 1 = 961;
// critic head 128-64-32-8-1: 8192 + 64 + 2048 + 32 + 256 + 8 + 8 + 1 = 10,609;
// the queue agent: actor kernel + critic kernel + critic head = 961 + 961 + 10,609 = 12,531.
// placement actor 10-32-16-8-1: 320 + 32 + 673 (as the kernel past its first layer) = 1,025;
// placement critic 6-32-16-1: 192 + 32 + 512 + 16 + 16 + 1 = 769; together 1,794.
const QUEUE_PARAMS = 12_531;
const QUEUE_ACTOR = 961;
const PLACEMENT_PARAMS = 1_794;

const ANY: CheckpointNeeds = { kinds: ["queue", "placement"], env: true };
const refusal = (json: unknown, needs: CheckpointNeeds = ANY) => {
  try {
    checkCheckpoint(json, "agent.json", needs);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected the checkpoint to be refused");
};

describe("checkCheckpoint: every checkpoint read is checked", () => {
  it("takes the shipped agents as what their networks are, of the sizes their layers make", () => {
    const q = checkCheckpoint(queueAgent(), "q", ANY);
    expect(q.kind).toBe("queue");
    expect(q.checkpoint.params).toHaveLength(QUEUE_PARAMS);
    const p = checkCheckpoint(placement(), "p", ANY);
    expect(p.kind).toBe("placement");
    expect(p.checkpoint.params).toHaveLength(PLACEMENT_PARAMS);
    // The networks' tensors cover the flat array back to back, as those sizes say.
    for (const [nets, total] of [
      [new KernelNetworks(), QUEUE_PARAMS],
      [new PlacementNetworks(1), PLACEMENT_PARAMS],
    ] as const) {
      let at = 0;
      for (const t of nets.tensors()) {
        expect(t.offset, t.name).toBe(at);
        at += t.shape.reduce((a, b) => a * b, 1);
      }
      expect(at).toBe(total);
    }
    // A placement agent without `task` (it is optional) is still a placement agent: its networks say so.
    const untasked = placement();
    delete untasked.task;
    expect(checkCheckpoint(untasked, "p", ANY).kind).toBe("placement");
  });

  it.each([
    [
      "one parameter short",
      (c: { params: unknown[] }) => c.params.pop(),
      /agent\.json: params: expected 12531 numbers \(actor 8-32-16-8-1: 961, critic\.kernel 8-32-16-8-1: 961, critic\.head 128-64-32-8-1: 10609\), found 12530: it ends inside critic\.head\.layer4\.bias \(0 of its 1 values\)/,
    ],
    [
      "1,000 parameters too many",
      (c: { params: unknown[] }) => c.params.push(...new Array(1000).fill(0)),
      /params: expected 12531 numbers .*, found 13531: 1000 past the last tensor, critic\.head\.layer4\.bias/,
    ],
    [
      "every parameter null (a NaN training's checkpoint)",
      (c: { params: unknown[] }) => c.params.fill(null),
      /params\[0\] \(actor\.layer1\.weight\[0\]\[0\]\): expected a finite number, found null .*\(and 12530 more of the 12531 are not finite\)/,
    ],
    [
      // Index 1,000: past the actor (961), 39 into the critic's kernel, whose first weights are 32 × 8.
      "one NaN in the critic",
      (c: { params: unknown[] }) => {
        c.params[1000] = Number.NaN;
      },
      /params\[1000\] \(critic\.kernel\.layer1\.weight\[4\]\[7\]\): expected a finite number, found NaN$/,
    ],
    [
      "the parameters missing",
      (c: { params?: unknown[] }) => delete c.params,
      /params: expected 12531 numbers \(.*\), found none/,
    ],
    ["no networks named", (c: { networks?: string }) => delete c.networks, /networks: expected "rlscheduler-kernel"/],
    [
      "another format",
      (c: { format: string }) => {
        c.format = "something";
      },
      /expected a clustersim RL checkpoint \(format clustersim-rl-checkpoint, version 1\), found format "something"/,
    ],
    [
      "a task its networks are not",
      (c: { task: string }) => {
        c.task = "placement";
      },
      /task: expected "queue", as its networks \(rlscheduler-kernel\) are, found "placement"/,
    ],
    [
      "a processors normaliser of 0",
      (c: { normalisers: { maxProcs: number } }) => {
        c.normalisers.maxProcs = 0;
      },
      /normalisers\.maxProcs: expected a finite number > 0, found 0/,
    ],
    [
      "a negative episode length",
      (c: { env: { sequenceJobs: number } }) => {
        c.env.sequenceJobs = -5;
      },
      /env\.sequenceJobs: expected an integer >= 2, found -5/,
    ],
    [
      "no trace",
      (c: { env: { trace?: string } }) => delete c.env.trace,
      /env\.trace: expected a path \(relative to the checkpoint's folder\), found none/,
    ],
  ])("refuses a queue agent with %s, naming the field, tensor and index", (_, corrupt, message) => {
    const c = queueAgent();
    corrupt(c);
    expect(refusal(c)).toMatch(message);
  });

  it("reads JSON's 1e999 as Infinity, and refuses it where it lies", () => {
    // The 301st number after "params": [ in the shipped file: index 300 = the actor's second layer
    // (which starts at 256 + 32 = 288), row 0, column 12.
    const lines = QUEUE_TEXT.split("\n");
    const first = lines.indexOf('  "params": [') + 1;
    lines[first + 300] = "    1e999,";
    const dir = mkdtempSync(join(tmpdir(), "clustersim-ckpt-"));
    const file = join(dir, "inf.json");
    writeFileSync(file, lines.join("\n"));
    expect(() => loadCheckpoint(file, ANY)).toThrow(
      new RegExp(
        `^${file}: params\\[300\\] \\(actor\\.layer2\\.weight\\[0\\]\\[12\\]\\): expected a finite number, found Infinity$`,
      ),
    );
  });

  it("refuses the other kind of agent to a reader of one (a placement network run as a queue agent)", () => {
    expect(refusal(placement(), { kinds: ["queue"] })).toMatch(
      /^agent\.json: expected a queue agent \(networks: rlscheduler-kernel\), found a placement agent \(networks: placement-kernel\)$/,
    );
    expect(refusal(queueAgent(), { kinds: ["placement"] })).toMatch(
      /expected a placement agent \(networks: placement-kernel\), found a queue agent/,
    );
    // And the agents the scenarios run go through the same check.
    expect(() => kernelAgent(placement(), "s.yaml: scheduler.params.checkpoint")).toThrow(
      /s\.yaml: scheduler\.params\.checkpoint: expected a queue agent/,
    );
    const short = placement();
    short.params.pop();
    expect(() => placementAgent(short, "p")).toThrow(/params: expected 1794 numbers \(actor 10-32-16-8-1: 1025/);
  });

  it("checks a training checkpoint's optimiser state when resuming, tensor by tensor", () => {
    const training = () => {
      const c = queueAgent();
      const zeros = (n: number) => new Array(n).fill(0);
      const critic = QUEUE_PARAMS - QUEUE_ACTOR;
      c.adam = {
        pi: { lr: 0.001, step: 70, m: zeros(QUEUE_ACTOR), v: zeros(QUEUE_ACTOR) },
        v: { lr: 0.001, step: 70, m: zeros(critic), v: zeros(critic) },
      };
      return c;
    };
    const resume: CheckpointNeeds = { kinds: ["queue"], env: true, training: true };
    expect(checkCheckpoint(training(), "c", resume).kind).toBe("queue");
    // An agent (agent.json) has no optimiser state to resume from.
    expect(refusal(queueAgent(), resume)).toMatch(
      /adam: expected a training checkpoint \(checkpoint\.json, with the optimiser's state\), found an agent without it/,
    );
    // The critic's moments start at the critic's first tensor: index 5 is its kernel's [0][5].
    const inf = training();
    inf.adam.v.v[5] = Number.POSITIVE_INFINITY;
    expect(refusal(inf, resume)).toMatch(
      /adam\.v\.v\[5\] \(critic\.kernel\.layer1\.weight\[0\]\[5\]\): expected a finite number, found Infinity/,
    );
    const short = training();
    short.adam.pi.m.length = 300;
    expect(refusal(short, resume)).toMatch(
      /adam\.pi\.m: expected 961 numbers \(actor 8-32-16-8-1: 961\), found 300: it ends inside actor\.layer2\.weight \(12 of its 512 values\)/,
    );
  });

  it("names what a file is when it is not a checkpoint", () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-ckpt-"));
    const at = (name: string, text?: string) => {
      const f = join(dir, name);
      if (text !== undefined) writeFileSync(f, text);
      return f;
    };
    mkdirSync(join(dir, "folder"));
    const cases: [string, RegExp][] = [
      [at("missing.json"), /missing\.json: expected a checkpoint file \(JSON\), found no such file$/],
      [at("folder"), /folder: expected a checkpoint file, found a directory$/],
      [at("empty.json", ""), /empty\.json: expected a checkpoint \(JSON\), found an empty file$/],
      [
        at("yaml.json", "env: queue\n"),
        /yaml\.json: expected a checkpoint \(JSON\), found text that is not JSON \(Unexpected token/,
      ],
      [
        at("array.json", "[1, 2]"),
        /array\.json: expected a clustersim RL checkpoint \(a JSON object\), found an array of 2/,
      ],
      [at("null.json", "null"), /null\.json: expected a clustersim RL checkpoint \(a JSON object\), found null/],
    ];
    for (const [file, message] of cases) expect(() => loadCheckpoint(file, ANY), file).toThrow(message);
  });

  it("refuses a placement agent whose environment is out of range when the reader needs it", () => {
    const c = placement();
    c.env.load = 0;
    expect(refusal(c)).toMatch(/env\.load: expected a share of the cluster's GPUs in \(0, 10\], found 0/);
    // A scenario's reader does not use the environment: only the networks are checked there.
    expect(checkCheckpoint(c, "p", { kinds: ["placement"] }).kind).toBe("placement");
  });
});
