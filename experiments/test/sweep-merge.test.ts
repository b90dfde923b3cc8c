import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mergeSweeps, runSweep } from "@clustersim/experiments";
import { InputError } from "@clustersim/files";
import { describe, expect, it } from "vitest";
import { column, rewriteInPlace, sha256, sweepOf, tmp } from "./sweep-fixtures.js";

// The runner's workers run the built experiments/dist (npx tsc -b experiments).

/** 60 one-processor jobs a minute apart, each running `runS` seconds (two digits: one size for all). */
function jobsTrace(runS: number): string {
  const lines = Array.from(
    { length: 60 },
    (_, i) =>
      `${String(i + 1).padStart(2)} ${String(i * 60).padStart(4, "0")} -1 ${runS} 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1`,
  );
  return `${lines.join("\n")}\n`;
}

/** A sweep (2 seeds) of an hour of those jobs on one 1-core node: the longer the jobs, the fewer complete. */
function traceSweep(dir: string, runS: number): string {
  writeFileSync(join(dir, "jobs.swf"), jobsTrace(runS));
  writeFileSync(
    join(dir, "jobs.yaml"),
    [
      "duration: 1h",
      'cluster: { nodeGroups: [{ name: cpu, count: 1, cpu: "1", memory: 4Gi }] }',
      "workloads: [{ type: trace, format: swf, path: jobs.swf }]",
      "scheduler: { name: fcfs }",
    ].join("\n"),
  );
  return sweepOf(dir, "jobs.yaml", ["tasksCompleted"]);
}

describe("merge", () => {
  it("refuses shards that read a trace of the same size but other content, naming it and both hashes", async () => {
    const dir = tmp();
    const sweep = traceSweep(dir, 30);
    const [s0, s1, out] = [join(dir, "s0"), join(dir, "s1"), join(dir, "merged")];
    await runSweep(sweep, { out: s0, shard: "0/2" });
    rewriteInPlace(join(dir, "jobs.swf"), jobsTrace(70));
    await runSweep(sweep, { out: s1, shard: "1/2" });

    const refused = mergeSweeps([s0, s1], out);
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(
      `merge: ${s1} was run from other inputs than ${s0}: jobs.swf: ${sha256(jobsTrace(30))} in ${s0}, ${sha256(jobsTrace(70))} in ${s1}`,
    );
    // Refused before anything is written.
    expect(readdirSync(join(dir))).not.toContain("merged");
  });

  it("merges only the saved runs a shard made from its recorded inputs, not ones left from before", async () => {
    const dir = tmp();
    const sweep = traceSweep(dir, 30);
    const [s0, s1, out] = [join(dir, "s0"), join(dir, "s1"), join(dir, "merged")];
    // s1 first holds the whole sweep over the 30 s jobs; then the jobs change and it runs shard 1 only,
    // so that shard 0's run it holds is stale.
    await runSweep(sweep, { out: s1 });
    rewriteInPlace(join(dir, "jobs.swf"), jobsTrace(70));
    await runSweep(sweep, { out: s0, shard: "0/2" });
    await runSweep(sweep, { out: s1, shard: "1/2" });

    // s1 last, so that its stale run would have replaced s0's fresh one.
    const r = await mergeSweeps([s0, s1], out);
    expect(r).toMatchObject({ runs: 2, missing: 0, failed: 0, leftOut: 1 });
    const whole = join(dir, "whole");
    await runSweep(sweep, { out: whole });
    expect(readFileSync(join(out, "results.csv"), "utf8")).toBe(readFileSync(join(whole, "results.csv"), "utf8"));
    // An hour of 70 s jobs one at a time on one core: 51 complete (3600 / 70); of 30 s jobs all 60 would.
    expect(column(out, "tasksCompleted")).toEqual([51, 51]);
  });

  it("refuses a shard whose sweep.json records sizes (an earlier version's), asking for a rerun", async () => {
    const dir = tmp();
    const sweep = traceSweep(dir, 30);
    const [s0, s1] = [join(dir, "s0"), join(dir, "s1")];
    await runSweep(sweep, { out: s0, shard: "0/2" });
    await runSweep(sweep, { out: s1, shard: "1/2" });
    const meta = JSON.parse(readFileSync(join(s1, "sweep.json"), "utf8"));
    writeFileSync(
      join(s1, "sweep.json"),
      JSON.stringify({ file: meta.file, spec: meta.spec, inputs: { "jobs.yaml": "0123abcd jobs.swf:2940" } }),
    );
    await expect(mergeSweeps([s0, s1], join(dir, "merged"))).rejects.toThrow(
      `merge: ${s1}: its sweep.json does not record the content of the files its runs read`,
    );
  });

  it("refuses a run record edited since it was written (a figure changed by hand), naming the file", async () => {
    const dir = tmp();
    const sweep = traceSweep(dir, 30);
    const [s0, s1] = [join(dir, "s0"), join(dir, "s1")];
    await runSweep(sweep, { out: s0, shard: "0/2" });
    await runSweep(sweep, { out: s1, shard: "1/2" });
    const [file] = readdirSync(join(s1, "runs"));
    const path = join(s1, "runs", file);
    const rec = JSON.parse(readFileSync(path, "utf8"));
    for (const value of ["abc", 1e308, 59]) {
      writeFileSync(path, JSON.stringify({ ...rec, summary: { ...rec.summary, tasksCompleted: value } }));
      await expect(mergeSweeps([s0, s1], join(dir, "merged"))).rejects.toThrow(
        `merge: ${path}: expected a run record as the sweep wrote it, found its content does not match its digest`,
      );
    }
    // As written, it merges; a resume of the shard reruns an edited record rather than report it.
    writeFileSync(path, JSON.stringify(rec));
    expect(await mergeSweeps([s0, s1], join(dir, "merged"))).toMatchObject({ missing: 0, failed: 0 });
    writeFileSync(path, JSON.stringify({ ...rec, summary: { ...rec.summary, tasksCompleted: 59 } }));
    await runSweep(sweep, { out: s1, shard: "1/2" });
    expect(JSON.parse(readFileSync(path, "utf8")).summary.tasksCompleted).toBe(60);
  });
});
