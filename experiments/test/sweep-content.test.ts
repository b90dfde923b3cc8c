import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runSweep, type SweepStart } from "@clustersim/experiments";
import { describe, expect, it } from "vitest";
import {
  ADDER_CONTROLLER,
  arrivalsTrace,
  CAPPED_STRATEGY,
  column,
  POISSON_SCENARIO,
  rewriteInPlace,
  SERVICE_SCENARIO,
  sweepOf,
  tmp,
} from "./sweep-fixtures.js";

// The runner's workers run the built experiments/dist (npx tsc -b experiments).

/** results.csv of a fresh sweep of `sweep` into a new directory: what a resume must agree with. */
async function freshResults(sweep: string): Promise<string> {
  const out = join(tmp(), "fresh");
  await runSweep(sweep, { out });
  return readFileSync(join(out, "results.csv"), "utf8");
}

describe("a sweep resumed after a file its runs read changed (same size, same mtime)", () => {
  it("reruns the runs of a service whose rate trace changed, and their request counts follow it", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    writeFileSync(join(dir, "rate.swf"), arrivalsTrace(40));
    writeFileSync(join(dir, "svc.yaml"), SERVICE_SCENARIO("rate.swf"));
    const sweep = sweepOf(dir, "svc.yaml", ["serviceRequests"]);
    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 2, stale: 0, failed: 0 });
    const before = column(out, "serviceRequests");

    // Touched but not changed: nothing to rerun.
    utimesSync(join(dir, "rate.swf"), new Date(), new Date());
    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 0, alreadyDone: 2, stale: 0 });

    rewriteInPlace(join(dir, "rate.swf"), arrivalsTrace(80));
    let start: SweepStart | undefined;
    const again = await runSweep(sweep, { out, onStart: (s) => (start = s) });
    expect(again).toMatchObject({ ran: 2, alreadyDone: 0, stale: 2, failed: 0 });
    expect(start).toMatchObject({ alreadyDone: 0, stale: 2 });
    // Twice the arrivals within the run: about twice the requests (10 per arrival, Poisson draws).
    const after = column(out, "serviceRequests");
    for (const [i, n] of after.entries()) expect(n / before[i]!).toBeGreaterThan(1.5);
    expect(readFileSync(join(out, "results.csv"), "utf8")).toBe(await freshResults(sweep));
  });

  it("reruns the runs of a scenario whose controller plug-in changed", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    writeFileSync(join(dir, "adder.ts"), ADDER_CONTROLLER(1));
    writeFileSync(
      join(dir, "ctl.yaml"),
      POISSON_SCENARIO(["scheduler: { name: kubernetes-default }", "controllers: [{ plugin: adder.ts }]"]),
    );
    const sweep = sweepOf(dir, "ctl.yaml", ["nodeHours"], 1);
    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 1, failed: 0 });
    // One node, and one added at the start, for an hour.
    expect(column(out, "nodeHours")).toEqual([2]);

    rewriteInPlace(join(dir, "adder.ts"), ADDER_CONTROLLER(7));
    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 1, stale: 1, failed: 0 });
    expect(column(out, "nodeHours")).toEqual([8]);
  });

  it("reruns the runs of a strategy plug-in when a module it imports changed", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    writeFileSync(join(dir, "capped.ts"), CAPPED_STRATEGY);
    writeFileSync(join(dir, "cap.ts"), "export const CAP = 1;\n");
    writeFileSync(join(dir, "cap.yaml"), POISSON_SCENARIO(["scheduler: { name: capped, plugin: capped.ts }"]));
    const sweep = sweepOf(dir, "cap.yaml", ["tasksCompleted", "waitMeanS"]);
    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 2, failed: 0 });
    const oneAtATime = column(out, "tasksCompleted");

    rewriteInPlace(join(dir, "cap.ts"), "export const CAP = 4;\n");
    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 2, stale: 2, failed: 0 });
    // Four tasks at once on the 4-core node instead of one: more of the same arrivals complete.
    const fourAtATime = column(out, "tasksCompleted");
    for (const [i, n] of fourAtATime.entries()) expect(n).toBeGreaterThan(oneAtATime[i]!);
    expect(readFileSync(join(out, "results.csv"), "utf8")).toBe(await freshResults(sweep));
  });

  it("reruns runs saved by an earlier version (fingerprint by size and mtime, no digest): not trusted", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    writeFileSync(join(dir, "rate.swf"), arrivalsTrace(40));
    writeFileSync(join(dir, "svc.yaml"), SERVICE_SCENARIO("rate.swf"));
    const sweep = sweepOf(dir, "svc.yaml", ["serviceRequests"]);
    await runSweep(sweep, { out });
    const csv = readFileSync(join(out, "results.csv"), "utf8");
    // Rewrite each record as earlier versions wrote it: the fingerprint by size and mtime, no digest.
    for (const f of readdirSync(join(out, "runs"))) {
      const path = join(out, "runs", f);
      const { digest: _, ...rec } = JSON.parse(readFileSync(path, "utf8"));
      for (const file of Object.keys(rec.fingerprint.files))
        rec.fingerprint.files[file] = { size: 4240, mtimeMs: 1_700_000_000_000 };
      writeFileSync(path, JSON.stringify(rec));
    }
    expect(await runSweep(sweep, { out })).toMatchObject({ ran: 2, alreadyDone: 0, failed: 0 });
    expect(readFileSync(join(out, "results.csv"), "utf8")).toBe(csv);
  });
});
