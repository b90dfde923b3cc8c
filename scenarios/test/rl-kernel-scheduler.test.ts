import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario, SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/scenarios/lublin-window.yaml", import.meta.url).pathname;

/**
 * A checkpoint built by hand whose actor scores a job -(requested time / maxExecS): one path through
 * the kernel 8-32-16-8-1 (row-major [out][in] weights, then biases; layer offsets 0, 256 | 288, 800 |
 * 816, 944 | 952, 960), every other parameter 0. Its order is shortest requested time first: SJF.
 */
function sjfCheckpoint(): string {
  const params = new Array(2 * 961 + 10_609).fill(0);
  params[1] = 1; // input 1 (requested time) → hidden 1, unit 0
  params[288] = 1; // → hidden 2, unit 0
  params[816] = 1; // → hidden 3, unit 0
  params[952] = -1; // → the score, negated
  const file = join(mkdtempSync(join(tmpdir(), "clustersim-ckpt-")), "sjf.json");
  const checkpoint = {
    format: "clustersim-rl-checkpoint",
    version: 1,
    networks: "rlscheduler-kernel",
    // Large enough that no requested time is capped: every job keeps its own score.
    normalisers: { maxExecS: 1e12, maxProcs: 256 },
    params,
  };
  writeFileSync(file, JSON.stringify(checkpoint));
  return file;
}

describe("a scenario's scheduler naming a trained agent (rl-kernel)", () => {
  it("orders the batch queue by the agent's scores: a hand-made SJF agent runs exactly as sjf", async () => {
    const summary = async (scheduler: string) => {
      const spec = loadScenarioFile(FILE, [`scheduler=${scheduler}`]);
      const s = (await runScenario(spec, FILE)).summary;
      delete s.scheduler;
      delete s.specHash;
      return s;
    };
    const agent = await summary(`{ name: rl-kernel, params: { checkpoint: ${sjfCheckpoint()} } }`);
    const sjf = await summary("{ name: sjf }");
    expect(agent).toEqual(sjf);
    // And not as FCFS: the order is the agent's.
    expect(agent).not.toEqual(await summary("{ name: fcfs }"));
  });

  it("names the checkpoint when it is missing or not one", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "clustersim-ckpt-")), "bad.json");
    writeFileSync(bad, '{"format": "something"}');
    const run = (path: string) =>
      runScenario(loadScenarioFile(FILE, [`scheduler={ name: rl-kernel, params: { checkpoint: ${path} } }`]), FILE);
    await expect(run(bad)).rejects.toThrow(
      /lublin-window\.yaml: scheduler\.params\.checkpoint \(.*bad\.json\): expected a clustersim RL checkpoint/,
    );
    await expect(run("/nonexistent.json")).rejects.toThrow(
      /scheduler\.params\.checkpoint \(\/nonexistent\.json\): expected a checkpoint file \(JSON\), found no such file/,
    );
  });

  // The shipped queue agent, corrupted as a file can be: each refused before the run, by the same check
  // eval-rl and --resume use (rl's checkCheckpoint), naming the tensor and index.
  const shipped = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
  const placementAgent = new URL("../../examples/rl/ppo-placement-openb.json", import.meta.url).pathname;
  it.each([
    [
      "one parameter short",
      (c: { params: unknown[] }) => c.params.pop(),
      /params: expected 12531 numbers .*, found 12530: it ends inside critic\.head\.layer4\.bias/,
    ],
    [
      "1,000 parameters too many",
      (c: { params: unknown[] }) => c.params.push(...new Array(1000).fill(0.5)),
      /params: expected 12531 numbers .*, found 13531: 1000 past the last tensor/,
    ],
    [
      "every parameter null",
      (c: { params: unknown[] }) => c.params.fill(null),
      /params\[0\] \(actor\.layer1\.weight\[0\]\[0\]\): expected a finite number, found null/,
    ],
    [
      "a 1e999",
      // Index 17 is the actor's first weights' row 2 (of 8 inputs each), column 1.
      (c: { params: unknown[] }) => {
        c.params[17] = "INF";
      },
      /params\[17\] \(actor\.layer1\.weight\[2\]\[1\]\): expected a finite number, found Infinity$/,
    ],
  ])("refuses the shipped agent with %s", async (_, corrupt, message) => {
    const c = JSON.parse(readFileSync(shipped, "utf8"));
    corrupt(c);
    const file = join(mkdtempSync(join(tmpdir(), "clustersim-ckpt-")), "agent.json");
    // JSON has no Infinity: the file says 1e999, which JSON.parse reads as Infinity.
    writeFileSync(file, JSON.stringify(c).replace('"INF"', "1e999"));
    const spec = loadScenarioFile(FILE, [`scheduler={ name: rl-kernel, params: { checkpoint: ${file} } }`]);
    await expect(runScenario(spec, FILE)).rejects.toThrow(SpecError);
    await expect(runScenario(spec, FILE)).rejects.toThrow(message);
  });

  it("refuses a placement agent as the queue's order", async () => {
    const spec = loadScenarioFile(FILE, [`scheduler={ name: rl-kernel, params: { checkpoint: ${placementAgent} } }`]);
    await expect(runScenario(spec, FILE)).rejects.toThrow(
      /scheduler\.params\.checkpoint \(.*ppo-placement-openb\.json\): expected a queue agent \(networks: rlscheduler-kernel\), found a placement agent \(networks: placement-kernel\)$/,
    );
  });
});
