import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;
const FIRST_FIT = "for (let n = 0; n < view.nodeCount; n++) if (view.fits(n, pod)) return { node: n }; return null;";

/** A JavaScript strategy plug-in: `top` at the module's top level, `create` before create() returns. */
function strategyFile(dir: string, name: string, o: { top?: string; create?: string; decide?: string }): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    `${o.top ?? ""}\nexport const strategy = { name: "${name}", create() { ${o.create ?? ""}
      return { name: "${name}", decide(view, pod) { ${o.decide ?? ""} ${FIRST_FIT} } }; } };\n`,
  );
  return file;
}

/** The command, under a hang guard: a process still going after 15 minutes is killed (status null). */
function clustersim(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 900_000 });
}

/** The example scenario with the strategy `name` from `file`, a one-second limit on plug-ins. */
function runWith(dir: string, name: string, file: string, extra: string[] = []) {
  const out = join(dir, `out-${name}`);
  const sets = ["--set", `scheduler={ name: ${name}, plugin: ${file} }`, ...extra];
  return { out, ...clustersim(["run", SCENARIO, "--out", out, "--quiet", "--plugin-time-limit", "1", ...sets]) };
}

describe("user code under a time limit (--plugin-time-limit)", () => {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-limits-"));

  it.each([
    [
      "decide-loops",
      { decide: "if (pod.id === 5) for (;;) {}" },
      /did not return within 1 s from decide\(\) for task 5 \(simulated time [\d.]+ s\)/,
    ],
    [
      "create-loops",
      { create: "for (;;) {}" },
      /plug-in strategy "create-loops" .*: create\(\) did not return within 1 s/,
    ],
    ["load-loops", { top: "for (;;) {}" }, /load-loops\.mjs did not finish loading within 1 s/],
    [
      "load-awaits",
      { top: "await new Promise(() => {});" },
      /load-awaits\.mjs never finished loading: a top-level await never settles/,
    ],
    ["load-exits", { top: "process.exit(0);" }, /load-exits\.mjs ended the process while loading \(exit code 0\)/],
  ])("%s: stopped with one line naming the plug-in, exit 2, no results", (name, body, message) => {
    const file = strategyFile(dir, name, body);
    const r = runWith(dir, name, file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(join(r.out, "summary.json"))).toBe(false);
    // A plug-in the limit did not stop would run into spawnSync's hang guard: status null, not 2.
  });

  it("validate applies the limit to loading and to a controller's create()", () => {
    const file = strategyFile(dir, "validate-loops", { top: "for (;;) {}" });
    const scenario = join(dir, "validate-loops.yaml");
    writeFileSync(
      scenario,
      `${readFileSync(SCENARIO, "utf8").replace("name: best-fit", `name: validate-loops\n  plugin: ${file}`)}`,
    );
    const v = clustersim(["validate", scenario, "--plugin-time-limit", "1"]);
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/scheduler\.plugin: .*validate-loops\.mjs did not finish loading within 1 s/);

    const ctl = join(dir, "ctl-loops.mjs");
    writeFileSync(ctl, `export const controller = { name: "ctl", create() { for (;;) {} } };\n`);
    const withCtl = join(dir, "ctl-loops.yaml");
    writeFileSync(withCtl, `${readFileSync(SCENARIO, "utf8")}controllers:\n  - plugin: ${ctl}\n`);
    const c = clustersim(["validate", withCtl, "--plugin-time-limit", "1"]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/controllers\[0\]\.plugin: .*ctl-loops\.mjs: create\(\) did not return within 1 s/);
  });

  it("a controller's timer that never returns is named", () => {
    const ctl = join(dir, "timer-loops.mjs");
    writeFileSync(
      ctl,
      `export const controller = { name: "ticker", create() { return { name: "ticker",
         start(ctx) { ctx.every(60, () => { if (ctx.nowS >= 600) for (;;) {} }); } }; } };\n`,
    );
    const scenario = join(dir, "timer-loops.yaml");
    writeFileSync(scenario, `${readFileSync(SCENARIO, "utf8")}controllers:\n  - plugin: ${ctl}\n`);
    const r = clustersim(["run", scenario, "--out", join(dir, "out-timer"), "--quiet", "--plugin-time-limit", "1"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /plug-in controller "ticker" \(.*timer-loops\.mjs\) did not return within 1 s from a timer \(simulated time 600 s\)/,
    );
  });

  it("a plug-in within the limit gives the result of the same policy built in, event for event", () => {
    // First fit as a plug-in, driven in slices under the watchdog, against the built-in first-fit.
    const file = strategyFile(dir, "my-first-fit", {});
    const r = runWith(dir, "my-first-fit", file);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const builtIn = join(dir, "out-builtin");
    const b = clustersim(["run", SCENARIO, "--out", builtIn, "--quiet", "--set", "scheduler.name=first-fit"]);
    expect(b.status).toBe(0);
    const summary = (d: string) => {
      const s = JSON.parse(readFileSync(join(d, "summary.json"), "utf8"));
      delete s.scheduler;
      delete s.specHash;
      return s;
    };
    expect(summary(r.out)).toEqual(summary(builtIn));
    expect(readFileSync(join(r.out, "tasks.csv"), "utf8")).toBe(readFileSync(join(builtIn, "tasks.csv"), "utf8"));
  });

  it("refuses a limit that is not a positive number of seconds", () => {
    const r = clustersim(["run", SCENARIO, "--plugin-time-limit", "0", "--out", join(dir, "x")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--plugin-time-limit: expected a number of seconds above 0/);
  });
});
