import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { runSweep } from "@clustersim/experiments";
import { InputError } from "@clustersim/files";
import { describe, expect, it } from "vitest";
import { POISSON_SCENARIO, sweepOf, tmp } from "./sweep-fixtures.js";

// The runner's workers run the built experiments/dist (npx tsc -b experiments).

/** A sweep of an hour of light Poisson load, one run per seed, named `name`. */
function smallSweep(dir: string, name: string, seeds = 2): string {
  writeFileSync(join(dir, "load.yaml"), POISSON_SCENARIO(["scheduler: { name: kubernetes-default }"]));
  return sweepOf(dir, "load.yaml", ["tasksCompleted"], seeds, name);
}

/** The pid of a process that has ended: no process has it now (pids are not reused this soon). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid!;
}

const lockOf = (out: string) => join(out, ".lock");

describe("a sweep directory's lock", () => {
  it("refuses a second sweep into a directory a sweep is writing, naming the holder", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    const sweep = smallSweep(dir, "first");
    const other = smallSweep(dir, "second");
    const first = runSweep(sweep, { out });
    // The first holds the lock from its start (taken before its first await).
    const held = JSON.parse(readFileSync(lockOf(out), "utf8"));
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), sweep, command: "sweep" });
    expect(Date.parse(held.startedAt)).toBeGreaterThan(Date.now() - 60_000);

    for (const file of [other, sweep]) {
      const second = runSweep(file, { out });
      await expect(second).rejects.toThrow(InputError);
      await expect(second).rejects.toThrow(
        `--out ${out}: locked by a sweep of ${sweep} (pid ${process.pid}, since ${held.startedAt})`,
      );
    }
    expect(await first).toMatchObject({ ran: 2, failed: 0 });
    expect(existsSync(lockOf(out))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")).file).toBe(sweep);
  });

  it("refuses a lock held on another host, saying how to remove it", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    mkdirSync(out);
    const lock = {
      pid: 1,
      tag: "1.x",
      host: `not-${hostname()}`,
      startedAt: "2024-01-01T00:00:00.000Z",
      sweep: "/a/b.yaml",
      command: "sweep",
    };
    writeFileSync(lockOf(out), JSON.stringify(lock));
    await expect(runSweep(smallSweep(dir, "s"), { out })).rejects.toThrow(
      `--out ${out}: locked by a sweep of /a/b.yaml (pid 1 on host not-${hostname()}, since 2024-01-01T00:00:00.000Z): wait for it to finish or choose another --out; if it no longer runs on not-${hostname()}, remove ${lockOf(out)}`,
    );
    expect(readdirSync(out)).toEqual([".lock"]);
  });

  it("takes over the lock of a sweep that no longer runs, with a note, and removes it when done", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    mkdirSync(out);
    const pid = deadPid();
    const stale = {
      pid,
      tag: `${pid}.dead`,
      host: hostname(),
      startedAt: "2024-01-01T00:00:00.000Z",
      sweep: "/old.yaml",
      command: "sweep",
    };
    writeFileSync(lockOf(out), JSON.stringify(stale));
    const notes: string[] = [];
    const r = await runSweep(smallSweep(dir, "s"), { out, onNote: (n) => notes.push(n) });
    expect(r).toMatchObject({ ran: 2, failed: 0 });
    expect(notes).toEqual([
      `took over the lock of ${out} left by a sweep of /old.yaml (pid ${pid}, since 2024-01-01T00:00:00.000Z), which no longer runs`,
    ]);
    expect(existsSync(lockOf(out))).toBe(false);
  });

  it("is removed when the sweep fails", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    const sweep = smallSweep(dir, "s");
    writeFileSync(
      sweep,
      readFileSync(sweep, "utf8").replace("variants: [{ label: as-written }]", "schedulers: [no-such]"),
    );
    await expect(runSweep(sweep, { out })).rejects.toThrow(/no-such/);
    // Refused once the directory was prepared and locked (the scenarios are validated under the lock).
    expect(existsSync(out)).toBe(true);
    expect(existsSync(lockOf(out))).toBe(false);
  });
});

describe("a sweep into a directory holding another sweep's results", () => {
  it("is refused, unless told to start over; then the other sweep's files are gone", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    const first = smallSweep(dir, "first", 3);
    const second = smallSweep(dir, "second", 1);
    await runSweep(first, { out });
    const firstCsv = readFileSync(join(out, "results.csv"), "utf8");

    await expect(runSweep(second, { out })).rejects.toThrow(
      `--out ${out}: holds the results of ${first}, not of ${second}: choose another --out, or start over (--start-over) to replace them`,
    );
    expect(readFileSync(join(out, "results.csv"), "utf8")).toBe(firstCsv);

    expect(await runSweep(second, { out, startOver: true })).toMatchObject({ runs: 1, ran: 1, alreadyDone: 0 });
    expect(JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")).file).toBe(second);
    expect(readdirSync(join(out, "runs"))).toHaveLength(1);
    expect(readFileSync(join(out, "results.csv"), "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("leaves no results.csv of the sweep before an edit beside the edited one's sweep.json", async () => {
    const dir = tmp();
    const out = join(dir, "out");
    const sweep = smallSweep(dir, "s", 2);
    await runSweep(sweep, { out });
    // Edited: a third seed, and a misspelt metric, which stops the sweep after its runs, before its
    // outputs. The results.csv of two seeds would not be the sweep that sweep.json now describes.
    writeFileSync(
      sweep,
      readFileSync(sweep, "utf8").replace("seeds: 2", "seeds: 3").replace("[tasksCompleted]", "[tasksCompletd]"),
    );
    await expect(runSweep(sweep, { out })).rejects.toThrow(/did you mean "tasksCompleted"/);
    expect(JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")).spec.seeds).toEqual([1, 2, 3]);
    expect(existsSync(join(out, "results.csv"))).toBe(false);
    // Corrected: the three runs are kept, and the outputs are the edited sweep's.
    writeFileSync(sweep, readFileSync(sweep, "utf8").replace("[tasksCompletd]", "[tasksCompleted]"));
    expect(await runSweep(sweep, { out })).toMatchObject({ runs: 3, ran: 0, alreadyDone: 3 });
    expect(readFileSync(join(out, "results.csv"), "utf8").trim().split("\n")).toHaveLength(4);
  });
});
