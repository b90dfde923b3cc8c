import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRunRecords, runSweep } from "@clustersim/experiments";
import { InputError } from "@clustersim/files";
import { describe, expect, it } from "vitest";

// The runner's workers run the built experiments/dist (npx tsc -b experiments).
const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), "clustersim-sweep-timeout-"));

/** A sweep of poisson-small for 20 minutes: a user strategy whose decide() never returns, then best-fit; 2 seeds. */
function hangingSweep(dir: string): string {
  writeFileSync(
    join(dir, "hang.mjs"),
    'export const strategy = { name: "hang", create: () => ({ name: "hang", decide() { for (;;); } }) };\n',
  );
  const sweep = join(dir, "sweep.yaml");
  writeFileSync(
    sweep,
    `${[
      "name: timeout",
      `scenarios: [${JSON.stringify(SCENARIO)}]`,
      "schedulers: [{ name: hang, plugin: hang.mjs }, best-fit]",
      'parameters: { duration: ["20m"] }',
      "seeds: 2",
      "baseline: best-fit",
      "metrics: [tasksCompleted]",
    ].join("\n")}\n`,
  );
  return sweep;
}

describe("runSweep runTimeoutS", () => {
  it("stops hung runs and records them as timed out; the runs after them finish on a fresh worker", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    // One worker: both hung runs come first, so the best-fit runs need the replaced worker.
    const r = await runSweep(hangingSweep(dir), { out, workers: 1, runTimeoutS: 1.5 });
    expect(r).toMatchObject({ runs: 4, ran: 4, failed: 2 });
    const recs = [...readRunRecords(out).values()].sort((a, b) => a.run - b.run);
    expect(recs.map((rec) => rec.error ?? "ok")).toEqual([
      "timed out after 1.5 s",
      "timed out after 1.5 s",
      "ok",
      "ok",
    ]);
    const rows = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows.map((l) => l.split(",").slice(6, 8).join(","))).toEqual([
      "failed,timed out after 1.5 s",
      "failed,timed out after 1.5 s",
      "ok,",
      "ok,",
    ]);
    expect(rows.slice(2).every((l) => Number(l.split(",").at(-1)) > 0)).toBe(true);

    // A rerun reruns only the failed runs (and they time out again).
    expect(await runSweep(hangingSweep(dir), { out, runTimeoutS: 1 })).toMatchObject({
      ran: 2,
      alreadyDone: 2,
      failed: 2,
    });
  });

  it("rejects a timeout that is not a positive number of seconds", async () => {
    const dir = tmp();
    for (const runTimeoutS of [0, -1, Number.NaN, 3e6]) {
      await expect(runSweep(hangingSweep(dir), { out: join(dir, "out"), runTimeoutS })).rejects.toThrow(InputError);
    }
  });

  it("with pluginTimeLimitS, a plug-in that never returns fails its run by name; the others go on", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    // The limit also bounds loading the plug-in: 5 s leaves that room on a busy machine (1 s did not).
    const r = await runSweep(hangingSweep(dir), { out, workers: 1, pluginTimeLimitS: 5 });
    expect(r).toMatchObject({ runs: 4, ran: 4, failed: 2 });
    const recs = [...readRunRecords(out).values()].sort((a, b) => a.run - b.run);
    for (const rec of recs.slice(0, 2)) {
      expect(rec.error).toMatch(
        /plug-in strategy "hang" \(.*hang\.mjs\) did not return within 5 s from decide\(\) for task 0/,
      );
    }
    expect(recs.slice(2).map((rec) => rec.error)).toEqual([undefined, undefined]);
  });
});
