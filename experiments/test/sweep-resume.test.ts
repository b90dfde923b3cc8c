import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseShard, runFingerprint, runSweep, type SweepStart } from "@clustersim/experiments";
import { InputError } from "@clustersim/files";
import { describe, expect, it } from "vitest";

// The runner's workers run the built experiments/dist (npx tsc -b experiments).
const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), "clustersim-sweep-"));

/** A copy of poisson-small at `ratePerS`, and a sweep of it: 1 scheduler × 2 seeds, 20 minutes each. */
function sweepWithRate(dir: string, ratePerS: number): { scenario: string; sweep: string } {
  const scenario = join(dir, "scenario.yaml");
  writeFileSync(scenario, readFileSync(SCENARIO, "utf8").replace("ratePerS: 0.5", `ratePerS: ${ratePerS}`));
  const sweep = join(dir, "sweep.yaml");
  writeFileSync(
    sweep,
    `${[
      "name: resume",
      "scenarios: [scenario.yaml]",
      "schedulers: [best-fit]",
      'parameters: { duration: ["20m"] }',
      "seeds: 2",
      "metrics: [tasksSubmitted, waitMeanS]",
    ].join("\n")}\n`,
  );
  return { scenario, sweep };
}

const submitted = (out: string) =>
  readFileSync(join(out, "results.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => Number(l.split(",").at(-2)));

describe("runSweep resume", () => {
  it("reuses saved runs only while the scenario and the tool version are unchanged", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    const { scenario, sweep } = sweepWithRate(dir, 0.5);
    const first = await runSweep(sweep, { out });
    expect(first).toMatchObject({ runs: 2, ran: 2, alreadyDone: 0, stale: 0, failed: 0 });
    const csv = readFileSync(join(out, "results.csv"), "utf8");
    const slow = submitted(out);

    let start: SweepStart | undefined;
    const same = await runSweep(sweep, { out, onStart: (s) => (start = s) });
    expect(same).toMatchObject({ ran: 0, alreadyDone: 2, stale: 0, failed: 0 });
    expect(start).toMatchObject({ runs: 2, mine: 2, alreadyDone: 2, stale: 0 });
    expect(readFileSync(join(out, "results.csv"), "utf8")).toBe(csv);

    // Twice the rate: the saved results are stale and must not be reused.
    writeFileSync(scenario, readFileSync(scenario, "utf8").replace("ratePerS: 0.5", "ratePerS: 1"));
    const changed = await runSweep(sweep, { out });
    expect(changed).toMatchObject({ ran: 2, alreadyDone: 0, stale: 2, failed: 0 });
    const fast = submitted(out);
    expect(fast.every((n, i) => n > 1.5 * slow[i])).toBe(true);
    const fresh = join(dir, "fresh");
    await runSweep(sweep, { out: fresh });
    expect(readFileSync(join(out, "results.csv"), "utf8")).toBe(readFileSync(join(fresh, "results.csv"), "utf8"));

    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 0, stale: 0 });
    expect(await runSweep(sweep, { out, toolVersion: "99.0.0" })).toMatchObject({ ran: 2, stale: 2 });
  });

  it("fingerprints the files a scenario names by the SHA-256 of their content", () => {
    const dir = tmp();
    const trace = join(dir, "jobs.swf");
    const line = "1 0 -1 10 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1\n";
    writeFileSync(trace, line);
    const scenario = join(dir, "s.yaml");
    writeFileSync(
      scenario,
      [
        "duration: 1h",
        "cluster: { nodeGroups: [{ name: cpu, count: 2, cpu: '4', memory: 8Gi }] }",
        "workloads: [{ type: trace, format: swf, path: jobs.swf }]",
        "scheduler: { name: fcfs }",
      ].join("\n"),
    );
    const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
    const a = runFingerprint(scenario, [], "1")!;
    expect(a.files).toEqual({ [trace]: sha(line) });
    // A new mtime alone is no change; new content of the same size is.
    utimesSync(trace, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(runFingerprint(scenario, [], "1")).toEqual(a);
    const other = line.replace("1 0 -1 10", "1 0 -1 90");
    writeFileSync(trace, other);
    const b = runFingerprint(scenario, [], "1")!;
    expect(b.files).toEqual({ [trace]: sha(other) });
    expect(b.specHash).toBe(a.specHash);
    expect(runFingerprint(scenario, ["duration=2h"], "1")!.specHash).not.toBe(a.specHash);
    // A trained agent's checkpoint is a file the run reads: retrained in place, the run is stale.
    const agent = join(dir, "agent.json");
    writeFileSync(agent, "{}");
    const c = runFingerprint(scenario, ["scheduler={ name: rl-kernel, params: { checkpoint: agent.json } }"], "1")!;
    expect(c.files).toEqual({ [agent]: sha("{}"), [trace]: sha(other) });
    // A file that is not there is fingerprinted as such (its run fails, and failed runs are rerun).
    const d = runFingerprint(scenario, ["workloads.0.path=gone.swf"], "1")!;
    expect(d.files).toEqual({ [join(dir, "gone.swf")]: null });
  });

  it("reads the shard from the argument or the environment, and rejects a bad one", () => {
    expect(parseShard(undefined, {})).toEqual([0, 1]);
    expect(parseShard("1/3", {})).toEqual([1, 3]);
    expect(
      parseShard(undefined, { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "4", SLURM_ARRAY_TASK_COUNT: "2" }),
    ).toEqual([1, 2]);
    expect(() => parseShard("2/2", {})).toThrow(InputError);
    expect(() => parseShard(undefined, { JOB_COMPLETION_INDEX: "0" })).toThrow(/CLUSTERSIM_SHARDS/);
  });
});
