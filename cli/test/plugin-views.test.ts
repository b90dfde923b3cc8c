import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Plug-ins see the run read only: each case once corrupted a run that still exited 0 (a strategy
 * zeroing its pod's CPU, writing the cluster's arrays, placing pods itself; a controller rewriting a
 * task). Each is now refused with one line naming the plug-in and the write, exit 1, and no results.
 */

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;
const SERVICES = new URL("../../examples/services/objective-scaler.yaml", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "clustersim-plugin-views-"));

/** The first node that fits, as a strategy's decide() body. */
const FIRST_FIT = "for (let n = 0; n < view.nodeCount; n++) if (view.fits(n, pod)) return { node: n }; return null;";

function run(scenario: string, out: string, set: string[], check = false) {
  return spawnSync(
    process.execPath,
    [BIN, "run", scenario, "--out", out, "--quiet", ...(check ? ["--check"] : []), ...set.flatMap((s) => ["--set", s])],
    { encoding: "utf8" },
  );
}

/** Exit 1 with the one line `message`, no stack, no internal error, and no result files in `out`. */
function expectRefused(r: ReturnType<typeof run>, out: string, message: RegExp): void {
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.status).toBe(1);
  expect(existsSync(join(out, "summary.json"))).toBe(false);
  // Nothing half-written stays either: the run's temporary files went with it.
  expect(readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
}

describe("a strategy that writes what it is handed", () => {
  it.each([
    [
      "zero-cpu",
      `pod.cpuMilli = 0; ${FIRST_FIT}`,
      /decide\(\) wrote pod\.cpuMilli for task 0: plug-ins see a read-only view/,
    ],
    // Caught by the plug-in itself: refused all the same (the write did not happen, the run still stops).
    [
      "swallowed",
      `try { pod.memoryMiB = 1; } catch {} ${FIRST_FIT}`,
      /decide\(\) wrote pod\.memoryMiB for task 0: plug-ins see a read-only view/,
    ],
    [
      "resources",
      `view.resources.freeCpuMilli[3] = 1e9; ${FIRST_FIT}`,
      /decide\(\) wrote view\.resources\.freeCpuMilli\[3\] for task 0/,
    ],
    [
      "totals",
      `view.totals(-1).allocatedCpuMilli = 0; ${FIRST_FIT}`,
      /decide\(\) wrote view\.totals\(-1\)\.allocatedCpuMilli/,
    ],
    ["placer", `view.place(0, pod); return { node: 0 };`, /decide\(\) called view\.place\(\) for task 0/],
    ["downer", `view.setUp(1, false); ${FIRST_FIT}`, /decide\(\) called view\.setUp\(\) for task 0/],
    ["remover", `view.setPresent(15, false); ${FIRST_FIT}`, /decide\(\) called view\.setPresent\(\) for task 0/],
  ])("%s: exit 1, one line naming the plug-in and the write", (name, body, message) => {
    const file = join(dir, `${name}.mjs`);
    writeFileSync(
      file,
      `export const strategy = { name: "${name}", create() { return { name: "${name}", decide(view, pod) { ${body} } }; } };\n`,
    );
    const out = join(dir, `out-${name}`);
    const r = run(SCENARIO, out, [`scheduler={ name: ${name}, plugin: ${file} }`], true);
    expectRefused(r, out, new RegExp(`^clustersim: plug-in strategy "${name}" \\(${file}\\): ${message.source}`));
  });

  it("a sloppy-mode (CommonJS) plug-in's write is refused too, where a frozen object would ignore it", () => {
    const file = join(dir, "sloppy.cjs");
    writeFileSync(
      file,
      `module.exports.strategy = { name: "sloppy", create() { return { name: "sloppy", decide(view, pod) { pod.cpuMilli = 0; ${FIRST_FIT} } }; } };\n`,
    );
    const out = join(dir, "out-sloppy");
    const r = run(SCENARIO, out, [`scheduler={ name: sloppy, plugin: ${file} }`]);
    expectRefused(r, out, /plug-in strategy "sloppy" .*: decide\(\) wrote pod\.cpuMilli for task 0/);
  });
});

describe("a controller that writes what it is handed", () => {
  it.each([
    [
      "task-writer",
      "ctx.on({ start(task) { task.cpuMilli = 0; } });",
      /its start listener wrote task\.cpuMilli at simulated time \d+(\.\d+)? s: plug-ins see a read-only view/,
    ],
    [
      "node-remover",
      "ctx.at(60, () => ctx.cluster.setPresent(0, false));",
      /a timer called view\.setPresent\(\) at simulated time 60 s/,
    ],
    [
      "clock-writer",
      "ctx.at(60, () => { ctx.simulation.now = 0; });",
      /a timer wrote ctx\.simulation\.now at simulated time 60 s/,
    ],
    ["ctx-writer", "ctx.waiting = 0;", /start\(\) wrote ctx\.waiting at simulated time 0 s/],
    [
      "arrival-writer",
      "ctx.on({ arrive(task) { task.runS = 1; } });",
      /its arrive listener wrote task\.runS at simulated time/,
    ],
    [
      "nodes-writer",
      "ctx.on({ start(task, nodes) { nodes[0] = 3; } });",
      /its start listener wrote nodes\[0\] at simulated time/,
    ],
    // Events of its own kinds run, their handlers marked as its code; the run's own kinds are out of reach.
    [
      "own-event",
      "const k = ctx.simulation.on('tick', () => { throw new Error('boom'); }); ctx.simulation.at(60, k);",
      /its event tick threw at simulated time 60 s: boom/,
    ],
    [
      "run-event",
      "ctx.at(60, () => ctx.simulation.at(61, 0));",
      /a timer called ctx\.simulation\.at\(\) with kind 0, not one of its own \(on\(\)\) at simulated time 60 s/,
    ],
    [
      "rejected-start",
      "return Promise.reject(new Error('later'));",
      /start\(\) returned a promise that was rejected \(at simulated time 0 s\): later/,
    ],
    [
      "floating",
      "ctx.at(60, () => { Promise.reject(new Error('nobody')); });",
      /a plug-in left a promise rejected with nothing to handle it during the run: nobody/,
    ],
    [
      "real-timer",
      "setTimeout(() => { throw null; }, 0);",
      /a plug-in threw from a callback of its own \(a timer, an event\) during the run: null \(not an Error\)/,
    ],
  ])("%s: exit 1, one line naming it", (name, body, message) => {
    const file = join(dir, `${name}.mjs`);
    writeFileSync(
      file,
      `export const controller = { name: "${name}", create() { return { name: "${name}", start(ctx) { ${body} } }; } };\n`,
    );
    const out = join(dir, `out-${name}`);
    const r = run(SCENARIO, out, [`controllers=[{ plugin: ${JSON.stringify(file)} }]`]);
    expectRefused(r, out, new RegExp(`^clustersim: .*${message.source}`));
    if (!["floating", "real-timer"].includes(name))
      expect(r.stderr).toContain(`plug-in controller "${name}" (${file})`);
  });

  it("acts through its context with the objects it was handed (tasks given back to the run are the run's own)", () => {
    const file = join(dir, "evictor.mjs");
    writeFileSync(
      file,
      `export const controller = { name: "evictor", create() { return { name: "evictor", start(ctx) {
        ctx.every(600, () => { for (const t of ctx.tasksOn(0)) ctx.evict(t); });
      } }; } };\n`,
    );
    const out = join(dir, "out-evictor");
    const r = run(SCENARIO, out, [`controllers=[{ plugin: ${JSON.stringify(file)} }]`], true);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(existsSync(join(out, "summary.json"))).toBe(true);
  });
});

describe("an autoscaler that writes the service it is handed", () => {
  it("exit 1, one line naming the plug-in, the service and the write", () => {
    const file = join(dir, "slo-writer.mjs");
    writeFileSync(
      file,
      'export const autoscaler = { name: "slo-writer", create() { return { desired(s) { s.slo.targetS = 1e9; return 3; } }; } };\n',
    );
    const out = join(dir, "out-slo-writer");
    const r = run(SERVICES, out, [`services.0.autoscaler={ plugin: ${JSON.stringify(file)} }`, "duration=5m"]);
    expectRefused(
      r,
      out,
      /^clustersim: plug-in autoscaler "slo-writer" \(.*\): desired\(\) for service api wrote service\.slo\.targetS at simulated time 15 s: plug-ins see a read-only view/,
    );
  });
});

describe("a plug-in that allocates without bound", () => {
  it("stops at --plugin-heap-limit with one line, exit 1, no temporary file, earlier results kept", () => {
    const file = join(dir, "hog.mjs");
    writeFileSync(
      file,
      'export const controller = { name: "hog", create() { return { name: "hog", start(ctx) { ctx.at(60, () => { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }); } }; } };\n',
    );
    const out = join(dir, "out-hog");
    const first = run(SCENARIO, out, []);
    expect(first.status).toBe(0);
    const before = readFileSync(join(out, "summary.json"), "utf8");
    const hog = spawnSync(
      process.execPath,
      [
        BIN,
        "run",
        SCENARIO,
        "--out",
        out,
        "--quiet",
        "--plugin-heap-limit",
        "96",
        "--set",
        `controllers=[{ plugin: ${JSON.stringify(file)} }]`,
      ],
      { encoding: "utf8" },
    );
    expect(hog.status).toBe(1);
    expect(hog.stderr).toBe(
      "clustersim: the run ran out of memory: its heap reached the limit of 96 MiB (--plugin-heap-limit), as a plug-in allocating without bound makes it; no results were written\n",
    );
    expect(readdirSync(out).filter((f) => f.includes(".tmp-") || f.startsWith(".commit-"))).toEqual([]);
    expect(readFileSync(join(out, "summary.json"), "utf8")).toBe(before);
  });

  it("refuses a heap limit that is not a whole number of MiB from 64", () => {
    for (const bad of ["63", "1.5"]) {
      const r = spawnSync(process.execPath, [BIN, "run", SCENARIO, "--quiet", "--plugin-heap-limit", bad], {
        encoding: "utf8",
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        `clustersim: --plugin-heap-limit: expected a whole number of MiB from 64 to 1048576, found "${bad}"\n`,
      );
    }
  });
});
