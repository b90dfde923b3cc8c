import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;

/** A user strategy whose decide() body is `body` (view, pod in scope), as a JavaScript plug-in file. */
function plugin(dir: string, name: string, body: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    `export const strategy = { name: "${name}", create() { return { name: "${name}", decide(view, pod) { ${body} } }; } };\n`,
  );
  return file;
}

/** The example scenario run with the plug-in strategy `name` from `file`. */
function runWith(dir: string, name: string, file: string) {
  return spawnSync(
    process.execPath,
    [
      BIN,
      "run",
      SCENARIO,
      "--out",
      join(dir, `out-${name}`),
      "--quiet",
      "--set",
      `scheduler={ name: ${name}, plugin: ${file} }`,
    ],
    { encoding: "utf8" },
  );
}

describe("a user strategy that breaks its contract", () => {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-plugins-"));
  it.each([
    [
      "out-of-range",
      "return { node: 999 };",
      /decide\(\) returned \{"node":999\} for task 0 \(\d+ m, \d+ MiB\): expected null or \{ node \} with a node in 0\.\.15/,
    ],
    ["not-a-decision", "return 3;", /decide\(\) returned 3 for task 0 .*: expected null or \{ node \}/],
    // JSON shows NaN as null: the message still says what was expected.
    [
      "nan",
      "return { node: NaN };",
      /decide\(\) returned \{"node":null\} for task 0 .*: expected null or \{ node \} with a node in 0\.\.15/,
    ],
    [
      "fraction",
      "return { node: 0.5 };",
      /decide\(\) returned \{"node":0\.5\} for task 0 .*: expected null or \{ node \} with a node in 0\.\.15/,
    ],
    ["null-thrower", "throw null;", /decide\(\) threw for task 0 .*: null \(not an Error\)/],
    [
      "unshowable",
      "throw { toString() { throw new Error('no'); } };",
      /decide\(\) threw for task 0 .*: a value that cannot be shown \(object\)/,
    ],
    ["promise", "return Promise.resolve({ node: 0 });", /decide\(\) returned a promise for task 0/],
    ["thrower", "throw new Error('boom');", /decide\(\) threw for task 0 .*: boom/],
    ["crowder", "return { node: 0 };", /decide\(\) returned node 0 for task \d+ .*, where the pod does not fit/],
    ["exiter", "process.exit(0);", /a plug-in called process\.exit\(0\) during the run/],
  ])("%s: stops the run with one line naming the plug-in, the task and the value, exit 2", (name, body, message) => {
    const file = plugin(dir, name, body);
    const r = runWith(dir, name, file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    if (name !== "exiter") expect(r.stderr).toContain(`plug-in strategy "${name}" (${file})`);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("a hook that throws (bound) is named too", () => {
    const file = join(dir, "hooky.mjs");
    writeFileSync(
      file,
      `export const strategy = { name: "hooky", create() { return { name: "hooky",
        decide(view, pod) { for (let n = 0; n < view.nodeCount; n++) if (view.fits(n, pod)) return { node: n }; return null; },
        bound() { throw new Error("kaput"); } }; } };\n`,
    );
    const r = runWith(dir, "hooky", file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/plug-in strategy "hooky" .*: bound\(\) threw for task 0: kaput/);
  });

  it.each([
    ["js-syntax.mjs", /js-syntax\.mjs could not be loaded: line 3: Unexpected token ';'/],
    ["ts-syntax.ts", /ts-syntax\.ts could not be loaded: line 3, column 21: Expected identifier but found ";"/],
  ])("%s: a syntax error is reported with its line", (name, message) => {
    const file = join(dir, name);
    writeFileSync(file, 'export const strategy = {\n  name: "x",\n  create() { return {; }\n};\n');
    const r = runWith(dir, "x", file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("a user controller that throws", () => {
  it("exits 1 with one line naming the plug-in, the hook and the simulated time: no internal error, no result files", () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-controller-"));
    const file = join(dir, "thrower.mjs");
    writeFileSync(
      file,
      'export const controller = { name: "thrower", create() { return { name: "thrower", start(ctx) { ctx.at(120, () => { throw new Error("boom"); }); } }; } };\n',
    );
    const out = join(dir, "out");
    const r = spawnSync(
      process.execPath,
      [BIN, "run", SCENARIO, "--out", out, "--quiet", "--set", `controllers=[{ plugin: ${JSON.stringify(file)} }]`],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^clustersim: plug-in controller "thrower" \(.*\): a timer threw at simulated time 120 s: boom\n$/,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(join(out, "summary.json"))).toBe(false);
  });
});
