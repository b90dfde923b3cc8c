import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The built command, run as a user runs it (npm test builds first).
const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const EXAMPLES_DIR = new URL("../../examples/", import.meta.url).pathname;
const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

const HPA_CPU = new URL("../../examples/services/hpa-cpu.yaml", import.meta.url).pathname;

function clustersim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), "clustersim-cli-"));
const SHORT = ["--set", "durationS=86400"];

describe("clustersim command", () => {
  it("prints its version and help", () => {
    expect(clustersim("--version")).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const help = clustersim("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: clustersim/);
    expect(help.stdout).toMatch(/run \[options\]/);
    expect(clustersim("run", "--help").stdout).toMatch(/--seed <n>/);
  });

  it("runs the default scenario and says where the results are", () => {
    const out = tmp();
    const r = clustersim("run", "--out", out, ...SHORT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Results: ${out}/summary.json`);
    expect(r.stdout).toMatch(/Erlang C/);
    expect(readdirSync(out).sort()).toEqual(["summary.json", "timing.json"]);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary).toMatchObject({ tool: "clustersim", version: VERSION, seed: 1, scenario: "builtin:mmc-cluster" });
    expect(summary.specHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(summary.metrics.tasksCompleted).toBeGreaterThan(30_000);
    const timing = JSON.parse(readFileSync(join(out, "timing.json"), "utf8"));
    expect(timing.wallS).toBeGreaterThan(0);
    expect(timing.eventsPerS).toBeGreaterThan(0);
  });

  it("npm start runs the Double-11 preset: a line per service, the midnight window, the cost, the replay's command", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.scripts.start).toBe("node cli/bin/clustersim.js run examples/double11/double11.yaml");
    const out = tmp();
    const r = clustersim("run", `${EXAMPLES_DIR}double11/double11.yaml`, "--out", out);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const header = lines.find((l) => l.trim().startsWith("service "))!;
    expect(header).toMatch(
      /peak req\/s +replicas max +p99 +within objective +p99 midnight +within midnight +dropped +failed/,
    );
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    for (const name of ["gateway", "search", "recommendation", "cart", "order", "inventory", "payment"]) {
      const row = lines.find((l) => l.trim().startsWith(`${name} `))!;
      const s = summary.services[name];
      const w = summary.serviceWindows.midnight[name];
      expect(row.trim().split(/ +/)).toEqual([
        name,
        Math.round(s.peakRatePerS).toLocaleString("en"),
        String(s.replicasMax),
        s.latencyP99S.toFixed(3),
        "s",
        `${(100 * s.sloAttainment).toFixed(2)}%`,
        w.latencyP99S.toFixed(3),
        "s",
        `${(100 * w.sloAttainment).toFixed(2)}%`,
        Math.round(s.requestsDropped).toLocaleString("en"),
        Math.round(s.requestsFailed).toLocaleString("en"),
      ]);
    }
    // The peak: 15× the 181 requests/s before midnight at the gateway (read at the ticks' middles, a
    // half-second either side of the curve's corner), one order in ten of them, more as backlogs drain.
    expect(Math.abs(summary.services.gateway.peakRatePerS / (15 * 181) - 1)).toBeLessThan(0.001);
    expect(summary.services.order.peakRatePerS).toBeGreaterThanOrEqual(0.0999 * 15 * 181);
    expect(r.stdout).toContain(`cost: ${summary.cost.toFixed(2)} of nodes`);
    expect(r.stdout).toContain(`+ ${summary.serverlessCost.toFixed(2)} of serverless containers`);
    expect(r.stdout).toContain(`Replay: npx clustersim view ${out}`);
    expect(readdirSync(out)).toContain("replay.jsonl");
  });

  it("validate loads a service's autoscaler plug-in: names the services, and refuses a file without the export", () => {
    const ok = clustersim("validate", `${EXAMPLES_DIR}services/objective-scaler.yaml`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("services: api (autoscaler objective-scaler.ts)");
    const dir = tmp();
    writeFileSync(join(dir, "none.mjs"), "export const nothing = 1;\n");
    const scenario = readFileSync(`${EXAMPLES_DIR}services/objective-scaler.yaml`, "utf8").replace(
      "plugin: objective-scaler.ts",
      "plugin: none.mjs",
    );
    writeFileSync(join(dir, "s.yaml"), scenario);
    const bad = clustersim("validate", join(dir, "s.yaml"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/services\[0\]\.autoscaler\.plugin: expected .*none\.mjs to export `autoscaler`/);
  });

  it("writes byte-identical summaries for the same seed, and different ones for another seed", () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    clustersim("run", "-q", "--out", a, "--seed", "9", ...SHORT);
    clustersim("run", "-q", "--out", b, "--seed", "9", ...SHORT);
    clustersim("run", "-q", "--out", c, "--seed", "10", ...SHORT);
    const read = (d: string) => readFileSync(join(d, "summary.json"));
    expect(read(a).equals(read(b))).toBe(true);
    expect(read(a).equals(read(c))).toBe(false);
  });

  it("applies --set and records it in the spec and its hash", () => {
    const [a, b] = [tmp(), tmp()];
    clustersim("run", "-q", "--out", a, ...SHORT);
    clustersim("run", "-q", "--out", b, ...SHORT, "--set", "nodes=8");
    const sa = JSON.parse(readFileSync(join(a, "summary.json"), "utf8"));
    const sb = JSON.parse(readFileSync(join(b, "summary.json"), "utf8"));
    expect(sb.spec.nodes).toBe(8);
    expect(sb.specHash).not.toBe(sa.specHash);
  });

  it("trace-stats prints one JSON object for a real trace", () => {
    const traces = new URL("../../../shared/traces/", import.meta.url).pathname;
    const r = clustersim("trace-stats", "--format", "alibaba-v2017-jobs", `${traces}alibaba-v2017-jobs/jobs.csv`);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout);
    expect(stats).toMatchObject({ records: 31756, jobs: 5216, tasks: 31756, instances: 2551075, firstS: 0 });
    expect(Object.keys(stats.resources.cpu)).toEqual(["total", "mean", "max"]);
  });

  it("trace-stats stops at a broken line with exit 2, or counts it with --skip-bad-lines", () => {
    const bad = join(tmp(), "bad.swf");
    writeFileSync(bad, "1 0 -1 10 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1\n2 3 x\n");
    const r = clustersim("trace-stats", "--format", "swf", bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`clustersim: ${bad}:2: line: expected at least 18 fields, found 3\n`);
    const skipped = clustersim("trace-stats", "--format", "swf", "--skip-bad-lines", bad);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ records: 1, dropped: 1 });
  });

  it("validate refuses what run refuses before its first event, with run's message: a service time of no finite mean, a rate trace that is a directory or not of its format", () => {
    const dir = tmp();
    const service = (serviceTime: string, rate: string) =>
      [
        "name: v",
        "duration: 10m",
        'cluster: { nodeGroups: [{ name: a, count: 2, cpu: "8", memory: 32Gi }] }',
        "services:",
        '  - { name: web, replica: { cpu: "1", memory: 1Gi }, replicas: 2, cpuPerRequest: 0.01,',
        `      slo: { percentile: 99, target: 1s }, serviceTime: ${serviceTime}, rate: [${rate}] }`,
        "scheduler: { name: kubernetes-default }",
      ].join("\n");
    writeFileSync(join(dir, "bad.csv"), "garbage,line\n1,2,3\n");
    const cases: [string, RegExp][] = [
      [
        service("{ dist: pareto, xm: 0.1, alpha: 0.9 }", "{ type: constant, ratePerS: 10 }"),
        /serviceTime: expected a distribution with a finite mean above 0, found alpha 0\.9 ≤ 1/,
      ],
      [service("{ dist: exponential, mean: 0.1 }", `{ type: trace, format: azure-llm, path: ${dir} }`), /EISDIR/],
      [
        service("{ dist: exponential, mean: 0.1 }", "{ type: trace, format: azure-llm, path: bad.csv }"),
        /bad\.csv:1: header column 1: expected "TIMESTAMP", found "garbage"/,
      ],
    ];
    cases.forEach(([text, message], i) => {
      const file = join(dir, `s${i}.yaml`);
      writeFileSync(file, text);
      const v = clustersim("validate", file);
      const r = clustersim("run", file, "--quiet", "--out", join(dir, `out${i}`));
      // Once, validate passed each of these and run then refused it.
      expect(v.code, v.stdout).toBe(2);
      expect(r.code).toBe(2);
      expect(v.stderr).toMatch(message);
      expect(v.stderr).toBe(r.stderr);
    });
  });

  it("refuses a scenario file over 1 MiB before parsing it (YAML that size takes seconds and gigabytes)", () => {
    const big = join(tmp(), "big.yaml");
    writeFileSync(big, `name: big\nduration: 1h\n# ${"x".repeat(1.1 * 2 ** 20)}\n`);
    const r = clustersim("validate", big);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/big\.yaml: expected a scenario file of at most 1 MiB .*, found 1\.1 MiB/);
  });

  it("validate accepts the examples and reports every problem of a bad scenario with exit 2", () => {
    const examples = new URL("../../examples/scenarios/", import.meta.url).pathname;
    const ok = clustersim("validate", `${examples}openb-fgd.yaml`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid scenario "openb-fgd"/);
    const bad = join(tmp(), "bad.yaml");
    writeFileSync(bad, "duration: soon\ncluster: { nodeGroups: [] }\nworkloads: []\nscheduler: { name: x }\n");
    const r = clustersim("validate", bad);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      `clustersim: ${bad}:1: duration: expected a duration like 90s, 2h or 1h30m (or seconds), found "soon"`,
      `${bad}:2: cluster.nodeGroups: expected at least 1 item(s), found 0`,
      `${bad}:3: workloads: expected at least one workload or service, found none`,
      expect.stringMatching(
        new RegExp(`^${bad}:4: scheduler\\.name: expected a registered scheduler \\(first-fit, .*\\), found "x"$`),
      ),
    ]);
  });

  it("schema prints the JSON Schema; workload prints the merged task stream as CSV", () => {
    expect(JSON.parse(clustersim("schema").stdout).type).toBe("object");
    const examples = new URL("../../examples/scenarios/", import.meta.url).pathname;
    const r = clustersim("workload", `${examples}poisson-small.yaml`, "--limit", "3");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("id,arrivalS,runS,cpuMilli,memoryMiB,gpus,gpuMilli,procs,priority,app,runtime");
    expect(lines).toHaveLength(4);
    expect(clustersim("workload", `${examples}poisson-small.yaml`, "--limit", "3").stdout).toBe(r.stdout);
    expect(clustersim("workload", `${examples}poisson-small.yaml`, "--limit", "3", "--seed", "2").stdout).not.toBe(
      r.stdout,
    );
  });

  it.each([
    [["validate", "/no/such.yaml"], /\/no\/such.yaml: expected a readable scenario file, found no such file/],
    // Once, validate of /dev/zero grew to gigabytes and aborted.
    [["validate", "/dev/zero"], /\/dev\/zero: expected a readable scenario file \(a regular file\), found a device/],
    [["run", "/tmp"], /\/tmp: expected a readable scenario file \(a regular file\), found a directory/],
    [["trace-stats", "--format", "csv", "x"], /--format: expected one of swf, openb-nodes/],
    [["trace-stats", "x"], /required option '-f, --format <format>' not specified/],
    [["run", "--seed", "-3"], /--seed: expected a non-negative integer, found "-3"/],
    [["run", "--set", "nodes=lots"], /--set nodes: expected a number, found "lots"/],
    [["run", "--set", "speed=2"], /unknown parameter "speed"; expected one of nodes, utilisation/],
    [["run", "--set", "utilisation=1.5"], /utilisation: expected a number in \(0, 1\), found 1.5/],
    [["run", "--set", "nodes"], /expected key=value, found "nodes"/],
    [["run", "--frobnicate"], /unknown option '--frobnicate'/],
    [["bogus"], /unknown command 'bogus'/],
    // Bad service specs: a negative rate, min above max, an unknown metric, a call graph with a cycle.
    ...[
      ["services.0.rate.0.meanRatePerS=-5", /services\[0\]\.rate\[0\]\.meanRatePerS: expected >= 0, found -5/],
      ["services.0.maxReplicas=1", /services\[0\]\.minReplicas: expected minReplicas ≤ maxReplicas \(1\), found 2/],
      [
        "services.0.autoscaler.metric.type=memory",
        /metric\.type: expected one of "cpu", "servedRps", "rps", "offeredRps", "queue", found "memory"/,
      ],
      [
        "services.0.calls=[{service: web, perRequest: 2}]",
        /services\[0\]\.calls: expected calls without a cycle, found web → web/,
      ],
    ].map(([set, message]) => [["run", HPA_CPU, "--out", "/nonexistent/never-written", "--set", set], message]),
  ] as [string[], RegExp][])("rejects bad input %j with one clear line and exit code 2", (args, message) => {
    const r = clustersim(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("fails on an unwritable --out before running, leaving earlier results untouched", () => {
    const dir = tmp();
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "x");
    const r = clustersim("run", "--out", join(file, "results"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*: expected a writable directory/);
    expect(readFileSync(file, "utf8")).toBe("x");
  });
});

describe("clustersim repro", () => {
  it("runs the RLScheduler protocol on any SWF file and prints JSON", () => {
    const dir = tmp();
    const lines = ["; MaxNodes: 8", "; MaxProcs: 16"];
    for (let i = 1; i <= 40; i++)
      lines.push(`${i} ${i * 30} -1 ${50 + (i % 7) * 40} ${1 + (i % 5) * 3} -1 -1 -1 -1 -1 1 -1 -1 -1 0 -1 -1 -1`);
    const trace = join(dir, "tiny.swf");
    writeFileSync(trace, `${lines.join("\n")}\n`);
    const r = clustersim("repro", "rlscheduler", "--trace", trace, "--windows", "2", "--window-jobs", "10", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ jobs: 40, nodes: 8, procsPerNode: 2, windowJobs: 10 });
    expect(out.results).toHaveLength(10);
    for (const x of out.results) {
      expect(x.boundedSlowdown).toBeGreaterThanOrEqual(1);
      expect(x.utilisation).toBeGreaterThan(0);
    }
  });

  it("rejects a missing trace with one line and exit code 2", () => {
    const r = clustersim("repro", "rlscheduler", "--trace", "/no/such/trace.swf");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("clustersim: --trace: no such file: /no/such/trace.swf");
  });
});

describe("clustersim run SCENARIO", () => {
  const scenario = join(EXAMPLES_DIR, "scenarios", "poisson-small.yaml");

  it("runs a scenario file end to end; same seed, same bytes; another seed, other results", () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    const ra = clustersim("run", scenario, "--out", a);
    expect(ra.code).toBe(0);
    expect(ra.stdout).toMatch(/Results: .*summary\.json, timing\.json, tasks\.csv/);
    expect(clustersim("run", scenario, "--out", b, "--quiet").code).toBe(0);
    expect(clustersim("run", scenario, "--out", c, "--quiet", "--seed", "2").code).toBe(0);
    for (const f of ["summary.json", "tasks.csv"])
      expect(readFileSync(join(a, f), "utf8")).toBe(readFileSync(join(b, f), "utf8"));
    expect(readFileSync(join(a, "summary.json"), "utf8")).not.toBe(readFileSync(join(c, "summary.json"), "utf8"));
    const s = JSON.parse(readFileSync(join(a, "summary.json"), "utf8"));
    expect(s).toMatchObject({ scenario: "poisson-small", seed: 1, scheduler: "best-fit", simTimeS: 7200 });
    expect(s.tasksSubmitted).toBe(s.tasksStarted + s.tasksWaitingAtEnd + s.tasksLargerThanAnyNode);
    const rows = readFileSync(join(a, "tasks.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe(
      "id,workload,app,state,arrivalS,startS,endS,waitS,node,cpuMilli,memoryMiB,gpus,gpuMilli,procs",
    );
    // One row per task: finished, still running at the end, or never placed.
    expect(rows.length - 1).toBe(s.tasksSubmitted);
    expect(rows.filter((l) => l.split(",")[3] === "finished")).toHaveLength(s.tasksCompleted);
    expect(rows.filter((l) => l.split(",")[3] === "running")).toHaveLength(s.tasksRunningAtEnd);
    expect(Object.keys(JSON.parse(readFileSync(join(a, "timing.json"), "utf8")))).toEqual(["wallS", "eventsPerS"]);
    // Time series: every 60 s of the 2 h, the cluster and its one node group.
    const series = readFileSync(join(a, "timeseries.csv"), "utf8").trim().split("\n");
    expect(series[0]).toBe(
      "timeS,group,running,waiting,nodes,cpuAllocatedFraction,memoryAllocatedFraction,gpuAllocatedFraction",
    );
    expect(series.length - 1).toBe(2 * (7200 / 60 + 1));
    expect(series[1].startsWith("0,cluster,0,0,16,")).toBe(true);
    expect(series[2].startsWith("0,cpu,0,,16,")).toBe(true);
    const mean =
      series
        .slice(1)
        .filter((l) => l.includes(",cluster,"))
        .map((l) => Number(l.split(",")[5]))
        .reduce((x, y) => x + y, 0) / 121;
    expect(Math.abs(mean - s.cpuAllocatedFraction)).toBeLessThan(0.05);
    expect(readFileSync(join(a, "timeseries.csv"), "utf8")).toBe(readFileSync(join(b, "timeseries.csv"), "utf8"));
  });

  it("applies --set to scenario fields and writes decision records when asked", () => {
    const out = tmp();
    const r = clustersim(
      "run",
      scenario,
      "--out",
      out,
      "--quiet",
      "--set",
      "scheduler={ name: kubernetes-default }",
      "--set",
      "outputs.decisions=true",
      "--set",
      "duration=10m",
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(s).toMatchObject({ scheduler: "kubernetes-default", simTimeS: 600 });
    const decisions = readFileSync(join(out, "decisions.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(decisions.length).toBeGreaterThanOrEqual(s.tasksStarted);
    expect(decisions[0]).toMatchObject({ task: expect.any(Number), node: expect.any(Number), top: expect.any(Array) });
  });

  it("writes the replay file when asked: a versioned header, then every event in time order", () => {
    const out = tmp();
    const rack = join(EXAMPLES_DIR, "hardware", "rack-outage.yaml");
    expect(
      clustersim("run", rack, "--out", out, "--quiet", "--set", "outputs.replay=true", "--set", "duration=2h").code,
    ).toBe(0);
    const lines = readFileSync(join(out, "replay.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      format: "clustersim-replay",
      version: 5,
      scenario: "rack-outage",
      durationS: 7200,
      groups: ["batch"],
    });
    expect(lines[0].nodes).toHaveLength(32);
    // Each node's rack (8 nodes a rack), for grouping in the viewer.
    expect(lines[0].racks).toEqual(Array.from({ length: 32 }, (_, n) => Math.floor(n / 8)));
    const events = lines.slice(1);
    for (let i = 1; i < events.length; i++) expect(events[i][0]).toBeGreaterThanOrEqual(events[i - 1][0]);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const count = (k: string) => events.filter((e) => e[1] === k).length;
    expect(count("a")).toBe(s.tasksSubmitted);
    expect(count("f")).toBe(s.tasksCompleted);
    expect(count("k")).toBe(s.taskRunsKilled);
    expect(count("d")).toBeGreaterThanOrEqual(8); // rack 0's eight nodes at 1 h
    expect(count("s")).toBe(count("f") + count("k") + s.tasksRunningAtEnd);
  });

  it("rejects a bad --set with one line and exit code 2, leaving no files behind", () => {
    const out = tmp();
    const r = clustersim("run", scenario, "--out", out, "--set", "cluster.nodeGroups.0.count=-3");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cluster\.nodeGroups\[0\]\.count: expected >= 0, found -3/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe("clustersim sweep", () => {
  /** A small sweep in a temp dir: 2 schedulers × 1 scenario × 2 durations × 2 seeds = 8 runs. */
  function smallSweep(extraScheduler?: string): string {
    const dir = tmp();
    const file = join(dir, "sweep.yaml");
    writeFileSync(
      file,
      `${[
        "name: small",
        `scenarios: [${JSON.stringify(join(EXAMPLES_DIR, "scenarios", "poisson-small.yaml"))}]`,
        "schedulers:",
        "  - best-fit",
        "  - { name: kubernetes-default, label: k8s }",
        ...(extraScheduler ? [extraScheduler] : []),
        'parameters: { duration: ["20m", "40m"] }',
        "seeds: 2",
        "metrics: [waitMeanS, tasksCompleted, cpuAllocatedFraction]",
      ].join("\n")}\n`,
    );
    return file;
  }

  it("types results.parquet's columns: run and seed as integers, parameters (durations in seconds) and metrics as numbers", async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, "scenario.yaml"),
      readFileSync(join(EXAMPLES_DIR, "scenarios", "poisson-small.yaml"), "utf8"),
    );
    const file = join(dir, "sweep.yaml");
    writeFileSync(
      file,
      "scenarios: [scenario.yaml]\nschedulers: [best-fit]\nparameters: { workloads.0.ratePerS: [0.2, 0.4], duration: [10m] }\nseeds: 1\nmetrics: [waitMeanS]\n",
    );
    const out = tmp();
    expect(clustersim("sweep", file, "--out", out, "--quiet").code).toBe(0);
    const { tableFromIPC } = await import("apache-arrow");
    const { readParquet } = await import("parquet-wasm");
    const table = tableFromIPC(readParquet(new Uint8Array(readFileSync(join(out, "results.parquet")))).intoIPCStream());
    const type = (name: string) => String(table.schema.fields.find((f) => f.name === name)!.type);
    expect([type("run"), type("seed"), type("workloads.0.ratePerS"), type("duration"), type("waitMeanS")]).toEqual([
      "Int32",
      "Int32",
      "Float64",
      "Float64",
      "Float64",
    ]);
    // The duration as the scenario reads it: 10m = 600 s.
    expect(table.getChild("duration")!.toArray()).toEqual(Float64Array.from([600, 600]));
    expect(table.getChild("workloads.0.ratePerS")!.toArray()).toEqual(Float64Array.from([0.2, 0.4]));
  });

  it("gives byte-identical results.csv with 1 and 2 workers, and a report with intervals and paired differences", () => {
    const file = smallSweep();
    const one = tmp();
    const two = tmp();
    expect(clustersim("sweep", file, "--out", one, "--quiet").code).toBe(0);
    expect(clustersim("sweep", file, "--out", two, "--quiet", "--workers", "2").code).toBe(0);
    const csv = readFileSync(join(one, "results.csv"), "utf8");
    expect(csv).toBe(readFileSync(join(two, "results.csv"), "utf8"));
    expect(readFileSync(join(one, "results.parquet")).equals(readFileSync(join(two, "results.parquet")))).toBe(true);
    expect(csv.trim().split("\n")).toHaveLength(1 + 8);
    expect(csv.split("\n")[0]).toBe(
      "run,id,scenario,scheduler,seed,duration,status,error,waitMeanS,tasksCompleted,cpuAllocatedFraction",
    );
    // Parameters as the scenario resolves them: a duration in seconds (20m = 1200 s), not JSON text.
    expect(csv.split("\n")[1].split(",")[5]).toBe("1200");
    const report = JSON.parse(readFileSync(join(one, "report.json"), "utf8"));
    expect(report).toMatchObject({
      baseline: "best-fit",
      runs: 8,
      failed: 0,
      metrics: ["waitMeanS", "tasksCompleted", "cpuAllocatedFraction"],
    });
    expect(report.groups).toHaveLength(2);
    const g = report.groups[0];
    expect(g.means.tasksCompleted["best-fit"].n).toBe(2);
    expect(g.means.tasksCompleted["best-fit"].low).toBeLessThanOrEqual(g.means.tasksCompleted["best-fit"].mean);
    expect(g.differences.tasksCompleted.k8s.n).toBe(2);
    expect(Object.keys(report.winTieLoss.waitMeanS)).toEqual(["k8s"]);
    expect(readFileSync(join(one, "report.md"), "utf8")).toMatch(/!\[waitMeanS\]\(plots\/waitMeanS\.svg\)/);
    expect(readFileSync(join(one, "plots", "waitMeanS.svg"), "utf8")).toMatch(/^<svg /);
    expect(readFileSync(join(one, "timing.csv"), "utf8").split("\n")[0]).toBe("run,id,wallS,eventsPerS,workerHeapMiB");
  });

  it("runs examples/sweep-quick.yaml: 2 scenarios × 2 schedulers × 3 seeds", () => {
    const out = tmp();
    const r = clustersim("sweep", join(EXAMPLES_DIR, "sweep-quick.yaml"), "--out", out, "--workers", "2", "--quiet");
    expect(r.code).toBe(0);
    const rows = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(12);
    expect(rows.every((l) => l.includes(",ok,"))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).groups).toHaveLength(2);
  });

  it("resumes: a rerun into the same directory runs nothing that finished", () => {
    const file = smallSweep();
    const out = tmp();
    expect(clustersim("sweep", file, "--out", out).code).toBe(0);
    const again = clustersim("sweep", file, "--out", out);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/8 runs, 8 already done, 1 worker/);
  });

  it("reruns saved runs whose scenario changed since, and says how many were stale", () => {
    const dir = tmp();
    const scenario = join(dir, "scenario.yaml");
    writeFileSync(scenario, readFileSync(join(EXAMPLES_DIR, "scenarios", "poisson-small.yaml"), "utf8"));
    const file = join(dir, "sweep.yaml");
    writeFileSync(
      file,
      'scenarios: [scenario.yaml]\nschedulers: [best-fit]\nparameters: { duration: ["20m"] }\nseeds: 2\nmetrics: [tasksSubmitted]\n',
    );
    const out = tmp();
    expect(clustersim("sweep", file, "--out", out).code).toBe(0);
    const before = readFileSync(join(out, "results.csv"), "utf8");
    writeFileSync(scenario, readFileSync(scenario, "utf8").replace("ratePerS: 0.5", "ratePerS: 1"));
    const again = clustersim("sweep", file, "--out", out);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 runs, 0 already done, 2 stale: rerun, 1 worker/);
    expect(readFileSync(join(out, "results.csv"), "utf8")).not.toBe(before);
    expect(clustersim("sweep", file, "--out", out).stdout).toMatch(/2 runs, 2 already done, 1 worker/);
  });

  it("records a run that crashes its worker, finishes the others, and exits 1", () => {
    const plugin = join(tmp(), "crasher.mjs");
    // It keeps the real process.exit from before the run's guard replaces it, so the worker does end.
    writeFileSync(
      plugin,
      'const exit = process.exit;\nexport const strategy = { name: "crasher", create() { exit(7); } };\n',
    );
    const file = smallSweep(`  - { name: crasher, plugin: ${JSON.stringify(plugin)} }`);
    const out = tmp();
    const r = clustersim("sweep", file, "--out", out, "--workers", "2");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/4 run\(s\) failed/);
    const rows = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(12);
    const failed = rows.filter((l) => l.includes(",failed,"));
    expect(failed).toHaveLength(4);
    for (const l of failed) expect(l).toMatch(/,crasher,.*worker exited with code 7/);
    expect(rows.filter((l) => l.includes(",ok,"))).toHaveLength(8);
  });

  it("stops a run that outlasts --run-timeout, records it as timed out, finishes the others, and exits 1", () => {
    const dir = tmp();
    // A user strategy whose decide() never returns: its runs hang until stopped.
    writeFileSync(
      join(dir, "hang.mjs"),
      'export const strategy = { name: "hang", create: () => ({ name: "hang", decide() { for (;;); } }) };\n',
    );
    const file = join(dir, "sweep.yaml");
    writeFileSync(
      file,
      `${[
        `scenarios: [${JSON.stringify(join(EXAMPLES_DIR, "scenarios", "poisson-small.yaml"))}]`,
        "schedulers: [best-fit, { name: hang, plugin: hang.mjs }]",
        'parameters: { duration: ["20m"] }',
        "seeds: 2",
        "metrics: [tasksCompleted]",
      ].join("\n")}\n`,
    );
    const out = tmp();
    // Killed after 15 minutes (a hang guard) should the hung runs not be stopped (then the status is null).
    const r = spawnSync(process.execPath, [BIN, "sweep", file, "--out", out, "--workers", "2", "--run-timeout", "2"], {
      encoding: "utf8",
      timeout: 900_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/2 run\(s\) failed/);
    const rows = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(4);
    const hung = rows.filter((l) => l.includes(",hang,"));
    expect(hung).toHaveLength(2);
    for (const l of hung) expect(l).toMatch(/,failed,timed out after 2 s,$/);
    const ok = rows.filter((l) => l.includes(",best-fit,"));
    expect(ok).toHaveLength(2);
    for (const l of ok) expect(l).toMatch(/,ok,,\d+$/);
    const records = readdirSync(join(out, "runs")).map((f) => JSON.parse(readFileSync(join(out, "runs", f), "utf8")));
    expect(records.filter((rec) => rec.error === "timed out after 2 s")).toHaveLength(2);

    const bad = clustersim("sweep", file, "--out", tmp(), "--run-timeout", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--run-timeout: expected a number of seconds above 0/);
    expect(clustersim("sweep", "--help").stdout).toMatch(/--run-timeout <seconds>/);
  });

  it("refuses to merge shards run from different scenario files under the same sweep file", () => {
    const dir = tmp();
    const scenario = join(dir, "scenario.yaml");
    const text = readFileSync(join(EXAMPLES_DIR, "scenarios", "poisson-small.yaml"), "utf8");
    writeFileSync(scenario, text);
    const file = join(dir, "sweep.yaml");
    writeFileSync(
      file,
      "name: twins\nscenarios: [scenario.yaml]\nschedulers: [best-fit]\nparameters: { duration: [10m] }\nseeds: 2\n",
    );
    const s0 = tmp();
    const s1 = tmp();
    expect(clustersim("sweep", file, "--out", s0, "--quiet", "--shard", "0/2").code).toBe(0);
    // The scenario changes between the shards: the same sweep file, another experiment.
    writeFileSync(scenario, text.replace(/seed: 1/, "seed: 9"));
    expect(clustersim("sweep", file, "--out", s1, "--quiet", "--shard", "1/2").code).toBe(0);
    const out = tmp();
    const r = clustersim("merge", "--out", out, s0, s1);
    expect(r.code).toBe(2);
    const sha = (t: string) => `sha256:${createHash("sha256").update(t).digest("hex")}`;
    expect(r.stderr).toBe(
      `clustersim: merge: ${s1} was run from other inputs than ${s0}: scenario.yaml: ${sha(text)} in ${s0}, ${sha(text.replace(/seed: 1/, "seed: 9"))} in ${s1}\n`,
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it("runs shards and merges them into the unsharded result", () => {
    const file = smallSweep();
    const whole = tmp();
    const s0 = tmp();
    const s1 = tmp();
    const merged = tmp();
    expect(clustersim("sweep", file, "--out", whole, "--quiet").code).toBe(0);
    expect(clustersim("sweep", file, "--out", s0, "--quiet", "--shard", "0/2").code).toBe(0);
    const viaSlurm = spawnSync(process.execPath, [BIN, "sweep", file, "--out", s1, "--quiet"], {
      encoding: "utf8",
      env: { ...process.env, SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "2" },
    });
    expect(viaSlurm.status).toBe(0);
    expect(
      readFileSync(join(s1, "results.csv"), "utf8")
        .split("\n")
        .filter((l) => l.includes(",missing,")),
    ).toHaveLength(4);
    expect(clustersim("merge", "--out", merged, s0, s1, "--quiet").code).toBe(0);
    expect(readFileSync(join(merged, "results.csv"), "utf8")).toBe(readFileSync(join(whole, "results.csv"), "utf8"));
    expect(readFileSync(join(merged, "report.json"), "utf8")).toBe(readFileSync(join(whole, "report.json"), "utf8"));
    // One shard alone is an incomplete merge: said on stderr, even with --quiet, exit 1.
    const half = clustersim("merge", "--out", tmp(), s0, "--quiet");
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/^clustersim: merge incomplete: 4 of 8 runs have no record in the shards given/);
    // A refused merge (shards of different sweeps) writes nothing.
    const other = tmp();
    writeFileSync(join(other, "sweep.json"), JSON.stringify({ file: "x.yaml", spec: { name: "other" } }));
    const refused = tmp();
    const r = clustersim("merge", "--out", refused, s0, other);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a different sweep/);
    expect(readdirSync(refused)).toEqual([]);
  });
});

describe("Parquet outputs", () => {
  it("tasks.parquet holds the rows of tasks.csv, typed, and is byte-identical for the same seed", async () => {
    const { tableFromIPC } = await import("apache-arrow");
    const { readParquet } = await import("parquet-wasm");
    const a = tmp();
    const b = tmp();
    const scenario = join(EXAMPLES_DIR, "scenarios", "poisson-small.yaml");
    expect(clustersim("run", scenario, "--out", a, "--quiet", "--set", "duration=30m").code).toBe(0);
    expect(clustersim("run", scenario, "--out", b, "--quiet", "--set", "duration=30m").code).toBe(0);
    const bytes = readFileSync(join(a, "tasks.parquet"));
    expect(bytes.subarray(0, 4).toString()).toBe("PAR1");
    expect(bytes.equals(readFileSync(join(b, "tasks.parquet")))).toBe(true);
    const table = tableFromIPC(readParquet(new Uint8Array(bytes)).intoIPCStream());
    const csv = readFileSync(join(a, "tasks.csv"), "utf8").trim().split("\n");
    expect(table.numRows).toBe(csv.length - 1);
    expect(table.schema.fields.map((f) => f.name)).toEqual(csv[0].split(","));
    const first = csv[1].split(",");
    const row = table.get(0)!.toJSON();
    expect(row.id).toBe(Number(first[0]));
    expect(row.workload).toBe(first[1]);
    expect(row.state).toBe(first[3]);
    expect(row.endS).toBeCloseTo(Number(first[6]), 9);
    expect(String(table.schema.fields[1].type)).toBe("Utf8");
    expect(String(table.schema.fields[2].type)).toBe("Utf8");
    // Typed columns: ids, nodes and sizes as integers, times as floats; an empty CSV cell is a null.
    const type = (name: string) => String(table.schema.fields.find((f) => f.name === name)!.type);
    for (const c of ["id", "node", "cpuMilli", "memoryMiB", "gpus", "procs"]) expect(type(c)).toBe("Int32");
    for (const c of ["arrivalS", "startS", "endS", "waitS"]) expect(type(c)).toBe("Float64");
    const nodes = table.getChild("node")!.toArray() as ArrayLike<number>;
    const rowsWithoutNode = csv.slice(1).filter((l) => l.split(",")[8] === "").length;
    expect(table.getChild("node")!.nullCount).toBe(rowsWithoutNode);
    expect(nodes.length).toBe(csv.length - 1);
  });
});
