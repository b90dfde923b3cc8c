import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  compileScenario,
  composeWorkload,
  loadScenarioFile,
  missingFiles,
  SpecError,
  scenarioJsonSchema,
} from "@clustersim/scenarios";
import type { Task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "clustersim-spec-"));
let n = 0;
const write = (text: string) => {
  const path = join(dir, `s${n++}.yaml`);
  writeFileSync(path, text);
  return path;
};

const GOOD = `name: t
duration: 2h
cluster:
  nodeGroups:
    - name: a
      count: 4
      cpu: "32"
      memory: 128Gi
workloads:
  - type: poisson
    ratePerS: 1
    task:
      run: 90s
      cpu: 500m
      memory: 2Gi
scheduler:
  name: best-fit
`;

function problems(text: string): string[] {
  try {
    loadScenarioFile(write(text));
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems.map((p) => p.replace(/^.*?s\d+\.yaml/, "FILE"));
  }
  throw new Error("expected the scenario to be rejected");
}

describe("scenario files", () => {
  it("read units researchers write: durations and Kubernetes quantities", () => {
    const spec = loadScenarioFile(write(GOOD));
    expect(spec.duration).toBe(7200);
    expect(spec.cluster.nodeGroups![0]).toMatchObject({ cpu: 32_000, memory: 131_072, gpus: 0 });
    expect(spec.workloads[0]).toMatchObject({ task: { run: 90, cpu: 500, memory: 2048 } });
    expect(spec.seed).toBe(1);
    expect(spec.outputs.timeseriesInterval).toBe(60);
  });

  it("refuse an autoscaled service that may have no replica at all (KEDA's maxReplicas: 0)", () => {
    const text = `name: k
duration: 1h
cluster:
  nodeGroups: [{ name: a, count: 1, cpu: "8", memory: 32Gi }]
services:
  - name: q
    replica: { cpu: "1", memory: 1Gi }
    replicas: 0
    minReplicas: 0
    maxReplicas: 0
    serviceTime: 0.1
    cpuPerRequest: 0.01
    slo: { target: 1s }
    rate: [{ type: constant, ratePerS: 1 }]
    autoscaler: { type: hpa, metric: { type: queue, targetPerReplica: 5 } }
scheduler: { name: best-fit }
`;
    expect(problems(text).join("\n")).toMatch(
      /services\[0\]\.maxReplicas: expected maxReplicas ≥ 1 for a service an autoscaler scales, found 0/,
    );
  });

  it("accept JSON too", () => {
    const spec = loadScenarioFile(
      write(
        JSON.stringify({
          duration: 60,
          cluster: { nodeGroups: [{ name: "a", count: 1, cpu: 1, memory: "1Gi" }] },
          workloads: [{ type: "poisson", ratePerS: 1, task: { run: 1, cpu: 1, memory: "1Mi" } }],
          scheduler: { name: "best-fit" },
        }),
      ),
    );
    expect(spec.duration).toBe(60);
  });

  it.each([
    [
      "an unknown field",
      GOOD.replace("name: t", "name: t\ncolour: blue"),
      'FILE:2: (top level): unknown field "colour"',
    ],
    [
      "an unknown workload type",
      GOOD.replace("type: poisson", "type: posson"),
      'FILE:10: workloads[0].type: expected one of "trace", "poisson", "rate-curve", "mmpp", "functions", found "posson"',
    ],
    [
      "a bad quantity",
      GOOD.replace("cpu: 500m", "cpu: lots"),
      'FILE:14: workloads[0].task.cpu: expected a CPU quantity like 500m, 2 or 0.5, found "lots"',
    ],
    [
      "a bad duration",
      GOOD.replace("duration: 2h", "duration: soon"),
      'FILE:2: duration: expected a duration like 90s, 2h or 1h30m (or seconds), found "soon"',
    ],
    [
      "a negative rate",
      GOOD.replace("ratePerS: 1", "ratePerS: -1"),
      "FILE:11: workloads[0].ratePerS: expected > 0, found -1",
    ],
    [
      "a missing section",
      GOOD.replace("scheduler:\n  name: best-fit\n", ""),
      "FILE:1: scheduler: expected object, found nothing",
    ],
    [
      "a bad distribution",
      GOOD.replace("run: 90s", "run: { dist: lognorm, mu: 1 }"),
      'FILE:13: workloads[0].task.run.dist: expected one of "constant", "uniform", "exponential", "normal", "lognormal", "pareto", "weibull", "burr", "empirical", found "lognorm"',
    ],
    [
      "both cluster forms",
      GOOD.replace("cluster:\n", "cluster:\n  fromTrace: { format: openb-nodes, path: x.csv }\n"),
      "FILE:4: cluster: expected exactly one of nodeGroups and fromTrace, found both",
    ],
    [
      "an unknown scheduler",
      GOOD.replace("name: best-fit", "name: bestfit"),
      /^FILE:17: scheduler\.name: expected a registered scheduler \(first-fit, best-fit, .*\), found "bestfit"$/,
    ],
    [
      "a bad scheduler parameter",
      GOOD.replace("name: best-fit", "name: fcfs\n  params: { backfill: conservative }"),
      'FILE:18: scheduler.params.backfill: expected one of "none", "easy", found "conservative"',
    ],
    [
      "a queue policy's placement that is not a placement strategy of default parameters",
      GOOD.replace("name: best-fit", "name: fcfs\n  params: { placement: rl-placement }"),
      /^FILE:18: scheduler\.params\.placement: expected a placement strategy that needs no parameters and no node usage \(first-fit, .*\), found "rl-placement"$/,
    ],
    [
      "a queue policy's placement that reads node usage, which batch runs do not measure",
      GOOD.replace("name: best-fit", "name: fcfs\n  params: { placement: load-aware }"),
      /^FILE:18: scheduler\.params\.placement: expected a placement strategy that needs no parameters and no node usage \((?:(?!load-aware)[^)])*\), found "load-aware"$/,
    ],
    [
      "a predicted batch room without a batch tier",
      `${GOOD}colocation: { enabled: false, reclaim: { predictor: trend } }\n`,
      /^FILE:\d+: colocation\.reclaim: reclaim applies only with enabled: true \(no batch tier, no room to reclaim\)$/,
    ],
    [
      "a trend's window for the average batch room",
      `${GOOD}colocation: { reclaim: { window: 10 } }\n`,
      /^FILE:\d+: colocation\.reclaim: window and risk apply to predictor: trend only$/,
    ],
    // The unclosed "[" of line 2 is found where the file ends (line 3).
    ["broken YAML", "name: t\nduration: [1h\n", /^FILE:3: expected valid YAML or JSON, found/],
  ])("name file, line and field for %s", (_, text, expected) => {
    const found = problems(text);
    expect(found).toHaveLength(1);
    if (expected instanceof RegExp) expect(found[0]).toMatch(expected);
    else expect(found[0]).toBe(expected);
  });

  it("report every problem at once, in line order", () => {
    const found = problems(GOOD.replace("duration: 2h", "duration: soon").replace("count: 4", "count: -1"));
    expect(found.map((p) => p.split(":")[1])).toEqual(["2", "6"]);
  });

  it("name trace files that do not exist", () => {
    const file = write(
      GOOD.replace("  - type: poisson", "  - type: trace\n    format: swf\n    path: nowhere.swf\n  - type: poisson"),
    );
    expect(missingFiles(loadScenarioFile(file), file)).toEqual([
      `${file}: workloads[0].path: expected an existing file, found nothing at ${join(dir, "nowhere.swf")}`,
    ]);
  });

  it("read the hardware of node groups and the cluster", () => {
    const spec = loadScenarioFile(
      write(
        GOOD.replace(
          "memory: 128Gi\n",
          "memory: 128Gi\n      dpu: bluefield-3\n      cxlPool: { nodesPerPool: 2, capacityPerPool: 1Ti }\n",
        ).replace(
          "scheduler:",
          "hardware:\n  runtimes: { firecracker: { startMedian: 80ms, memoryOverhead: 4Mi } }\nscheduler:",
        ),
      ),
    );
    expect(spec.cluster.nodeGroups![0]).toMatchObject({
      dpu: "bluefield-3",
      cxlPool: { nodesPerPool: 2, capacityPerPool: 1024 * 1024 },
    });
    expect(spec.hardware?.runtimes?.firecracker).toEqual({ startMedian: 0.08, memoryOverhead: 4 });
    expect(problems(GOOD.replace("memory: 128Gi\n", "memory: 128Gi\n      dpu: bluefield-9\n"))[0]).toMatch(
      /cluster\.nodeGroups\[0\]\.dpu: expected one of "none", "bluefield-2", "bluefield-3", found "bluefield-9"/,
    );
  });

  it("export a JSON Schema that lists every workload type", () => {
    const text = JSON.stringify(scenarioJsonSchema());
    for (const type of ["trace", "poisson", "rate-curve", "mmpp", "functions"])
      expect(text).toContain(`"const":"${type}"`);
  });
});

describe("the example scenarios", () => {
  const files = ["scenarios", "hardware"].flatMap((d) =>
    readdirSync(EXAMPLES + d)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => `${d}/${f}`),
  );

  it("exist", () => expect(files.length).toBeGreaterThanOrEqual(10));

  it.each(files)("%s validates and yields a reproducible workload in arrival order", async (name) => {
    const file = EXAMPLES + name;
    const spec = loadScenarioFile(file);
    expect(missingFiles(spec, file)).toEqual([]);
    const first = async () => {
      const out: Task[] = [];
      for await (const t of composeWorkload(spec, { baseDir: dirname(file) })) {
        out.push(t);
        if (out.length === 2000) break;
      }
      return out;
    };
    const a = await first();
    expect(a.length).toBeGreaterThan(100);
    expect(a.every((t, i) => t.id === i && (i === 0 || t.arrivalS >= a[i - 1].arrivalS))).toBe(true);
    expect(await first()).toEqual(a);
  });
});

describe("units without traps", () => {
  const task = (t: string) => GOOD.replace("      run: 90s\n      cpu: 500m\n      memory: 2Gi\n", t);

  it("read quantities with units inside distributions, in the field's base unit", () => {
    const spec = loadScenarioFile(
      write(
        task(
          '      run: { dist: uniform, min: 90s, max: 2m }\n      cpu: { dist: uniform, min: 500m, max: "4" }\n      memory: { dist: lognormal, median: 2Gi, sigma: 0.5 }\n',
        ),
      ),
    );
    const t = (spec.workloads[0] as { task: Record<string, unknown> }).task;
    expect(t.run).toEqual({ dist: "uniform", min: 90, max: 120 });
    expect(t.cpu).toEqual({ dist: "uniform", min: 500, max: 4000 });
    expect(t.memory).toEqual({ dist: "lognormal", mu: Math.log(2048), sigma: 0.5 });
  });

  it("refuse bare numbers where the unit is ambiguous: memory anywhere, CPU and memory inside distributions", () => {
    expect(problems(GOOD.replace("memory: 128Gi", "memory: 4096"))).toEqual([
      expect.stringMatching(
        /:8: cluster\.nodeGroups\[0\]\.memory: expected a memory quantity with a unit .* found 4096 \(a bare number would be bytes\)$/,
      ),
    ]);
    expect(
      problems(task("      run: 90s\n      cpu: { dist: uniform, min: 500, max: 4000 }\n      memory: 2Gi\n")),
    ).toEqual([
      expect.stringMatching(
        /task\.cpu\.min: expected a quantity with its unit, like 500m or "2" \(cores\), found the bare number 500$/,
      ),
      expect.stringMatching(/task\.cpu\.max: .* found the bare number 4000$/),
    ]);
    // Plain CPU numbers are cores, as in Kubernetes; plain durations are seconds.
    const spec = loadScenarioFile(write(task("      run: 90\n      cpu: 2\n      memory: 2Gi\n")));
    expect((spec.workloads[0] as { task: Record<string, unknown> }).task).toMatchObject({ run: 90, cpu: 2000 });
  });
});

describe("--set", () => {
  const file = () => write(GOOD);
  const fails = (overrides: string[]) => {
    try {
      loadScenarioFile(file(), overrides);
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
      return (err as SpecError).problems;
    }
    throw new Error("expected the overrides to be refused");
  };

  it("blames a bad value on the --set argument that set it, not on a line of the file", () => {
    expect(fails(["cluster.nodeGroups.0.count=-3"])).toEqual([
      "--set cluster.nodeGroups.0.count=-3: cluster.nodeGroups[0].count: expected >= 0, found -3",
    ]);
    expect(fails(["scheduler={ name: bestfit }"])[0]).toMatch(
      /^--set scheduler=\{ name: bestfit \}: scheduler\.name: /,
    );
  });

  it("refuses paths into the object prototype, and values that are not YAML", () => {
    expect(fails(["__proto__.x=1"])).toEqual([
      '--set __proto__.x=1: expected a field path like workloads.0.ratePerS, found "__proto__" in it',
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(fails(["scheduler={ name: ["])[0]).toMatch(/^--set scheduler=\{ name: \[: expected a YAML value, found /);
  });

  it("removes a field or a list item set to null, and refuses to remove what the file does not set", () => {
    const pooled = ["cluster.nodeGroups.0.cxlPool={ nodesPerPool: 2, capacityPerPool: 64Gi }"];
    expect(loadScenarioFile(file(), pooled).cluster.nodeGroups?.[0].cxlPool).toBeDefined();
    const removed = loadScenarioFile(file(), [...pooled, "cluster.nodeGroups.0.cxlPool=null"]);
    expect(removed.cluster.nodeGroups?.[0].cxlPool).toBeUndefined();
    expect(removed.cluster.nodeGroups?.[0].memory).toBeDefined();
    const two = ["workloads.1={ type: poisson, ratePerS: 2, task: { run: 1s, cpu: 1, memory: 1Gi } }"];
    const left = loadScenarioFile(file(), [...two, "workloads.0=null"]).workloads;
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ ratePerS: 2 });
    expect(fails(["cluster.nodeGroups.0.cxlPol=null"])).toEqual([
      "--set cluster.nodeGroups.0.cxlPol=null: expected a field the scenario sets to remove, found none there",
    ]);
    for (const item of ["workloads.1=null", "workloads.length=null"]) expect(fails([item])).toHaveLength(1);
  });
});

describe("names that become folders", () => {
  it("refuse a scenario name that would write outside results/", () => {
    for (const bad of ["../escape", "a/b", ".hidden", "x..y"]) {
      expect(problems(GOOD.replace("name: t", `name: "${bad}"`))).toEqual([
        expect.stringMatching(/:1: name: expected a name of letters, digits, .* \(it names the results folder\)/),
      ]);
    }
    expect(loadScenarioFile(write(GOOD.replace("name: t", "name: run-1.v2"))).name).toBe("run-1.v2");
  });
});

describe("values that would hang a run or be silently wrong", () => {
  it("refuse infinite quantities, zero periods and intervals, and name 1e309 and .nan as such", () => {
    expect(problems(GOOD.replace("memory: 128Gi", 'memory: "1e309"'))[0]).toMatch(
      /nodeGroups\[0\]\.memory: expected a memory quantity like 512Mi/,
    );
    expect(problems(GOOD.replace("cpu: 500m", "cpu: 1e309"))[0]).toMatch(/task\.cpu: expected .*, found Infinity/);
    expect(problems(GOOD.replace("duration: 2h", "duration: .nan"))[0]).toMatch(/duration: .*found NaN/);
    expect(problems(`${GOOD}outputs: { timeseriesInterval: 0 }\n`)[0]).toMatch(
      /timeseriesInterval: expected a duration > 0/,
    );
    const diurnal = GOOD.replace(
      "    ratePerS: 1\n",
      "    rate: [{ type: diurnal, meanRatePerS: 1, amplitude: 0.5, period: 0 }]\n",
    ).replace("type: poisson", "type: rate-curve");
    expect(problems(diurnal)[0]).toMatch(/period: expected a duration > 0/);
  });

  it("bound what a run will cost, naming the field and the figure", () => {
    expect(problems(GOOD.replace("count: 4", "count: 2000000"))).toEqual([
      expect.stringMatching(/cluster\.nodeGroups: expected at most 1,000,000 nodes in all .* found 2,000,000$/),
    ]);
    expect(problems(GOOD.replace("ratePerS: 1", "ratePerS: 1e12"))).toEqual([
      expect.stringMatching(
        /workloads\[0\]\.ratePerS: expected at most 100,000,000 tasks over the 7,200 s run, found a rate of up to 1000000000000\/s/,
      ),
    ]);
    // A rate curve's peak bounds its tasks too (a constant of 1e12/s times a surge of 3): once, unbounded.
    const curve = GOOD.replace(
      "    ratePerS: 1\n",
      "    rate: [{ type: constant, ratePerS: 1e12 }, { type: surge, at: 60, multiplier: 3, decay: 600 }]\n",
    ).replace("type: poisson", "type: rate-curve");
    expect(problems(curve)).toEqual([
      expect.stringMatching(
        /workloads\[0\]\.rate: expected at most 100,000,000 tasks .* up to 3000000000000\/s \(about 21,600,000,000,000,000 tasks\)/,
      ),
    ]);
    // Services: ticks (services × ticks) bounded, and the requests the per-request model simulates one by one.
    const service = (extra: string) =>
      GOOD.replace(
        /workloads:[\s\S]*?scheduler:/,
        [
          "services:",
          '  - { name: web, replica: { cpu: "1", memory: 1Gi }, replicas: 2, serviceTime: { dist: exponential, mean: 0.1 }, cpuPerRequest: 0.01,',
          `      slo: { percentile: 99, target: 1s }, rate: [{ type: constant, ratePerS: 1e9 }]${extra} }`,
          "scheduler:",
        ].join("\n"),
      );
    expect(problems(`${service("")}serviceTick: 1e-6\n`)).toEqual([
      expect.stringMatching(
        /serviceTick: expected at most 1,000,000,000 service ticks .* found 7,200,000,000 with a tick of 0\.000001 s/,
      ),
    ]);
    expect(problems(service(", latency: per-request"))).toEqual([
      expect.stringMatching(
        /services\[0\]\.rate: expected at most 1,000,000,000 requests for the per-request latency model .* \(about 7,200,000,000,000 requests\)/,
      ),
    ]);
    expect(problems(`${GOOD}outputs: { timeseriesInterval: 1ms }\n`)).toEqual([
      expect.stringMatching(
        /outputs\.timeseriesInterval: expected at most 10,000,000 time-series rows, found an interval of 0\.001 s \(14,400,000 rows/,
      ),
    ]);
  });

  it("bound a request's times, calls, and what a predictive HPA keeps and refits", async () => {
    // A web service calling a db: `web` and `db` are YAML flow fields added to each.
    const graph = (o: { web?: string; db?: string; dbTime?: string; call?: string }) =>
      GOOD.replace(
        /workloads:[\s\S]*?scheduler:/,
        [
          "services:",
          '  - { name: web, replica: { cpu: "1", memory: 1Gi }, replicas: 2, serviceTime: 0.01, cpuPerRequest: 0.01,',
          `      slo: { target: 1s }, rate: [{ type: constant, ratePerS: 100 }], calls: [{ service: db${o.call ?? ", perRequest: 1"} }]${o.web ?? ""} }`,
          `  - { name: db, replica: { cpu: "1", memory: 1Gi }, replicas: 2, serviceTime: ${o.dbTime ?? "0.01"}, cpuPerRequest: 0.01, slo: { target: 1s }${o.db ?? ""} }`,
          "scheduler:",
        ].join("\n"),
      );
    // A mean of 1e12 s gave p99 0 in the fluid model; a Weibull of shape 0.01 a mean of 9e156 s, nulls.
    // The mean is checked where the scenario is compiled (validate does it too).
    const compiled = async (text: string) => {
      const file = write(text);
      return compileScenario(loadScenarioFile(file), file).then(
        () => "compiled",
        (err: SpecError) => err.problems.join(),
      );
    };
    expect(await compiled(graph({ dbTime: "{ dist: exponential, mean: 1e12 }" }))).toMatch(
      /services\[1\]\.serviceTime: expected a mean of at most 1,000,000 s .* found mean 1000000000000/,
    );
    expect(await compiled(graph({ dbTime: "{ dist: weibull, shape: 0.01, scale: 0.1 }" }))).toMatch(
      /a mean of 9\.33e\+156 s/,
    );
    expect(await compiled(graph({ dbTime: "{ dist: exponential, mean: 1e6 }" }))).toBe("compiled");
    expect(problems(graph({ dbTime: "{ dist: uniform, min: 1, max: 0.1 }" })).join()).toMatch(
      /services\[1\]\.serviceTime\.max: expected max ≥ min \(1\), found 0\.1/,
    );
    expect(problems(graph({ web: ", timeout: 2e6" })).join()).toMatch(
      /services\[0\]\.timeout: expected at most 1,000,000 s/,
    );
    expect(problems(graph({ call: ", perRequest: 1, retries: 2, backoff: 1e20" })).join()).toMatch(
      /calls\[0\]\.backoff: expected at most 1,000,000 s/,
    );
    expect(problems(graph({ call: ", perRequest: 1e9" })).join()).toMatch(
      /calls\[0\]\.perRequest: expected <= 1000, found 1000000000/,
    );
    // A per-request callee counts its callers' calls, every attempt: 100/s × 1,000 calls × 6 attempts over a
    // day; a fluid one has no such bound.
    const wide = { call: ", perRequest: 1000, retries: 5" };
    const day = (text: string) => text.replace("duration: 2h", "duration: 1d");
    expect(() => loadScenarioFile(write(day(graph(wide))))).not.toThrow();
    expect(problems(day(graph({ ...wide, db: ", latency: per-request" })))).toEqual([
      expect.stringMatching(
        /services\[1\]\.latency: expected at most 1,000,000,000 requests .* found a rate of up to 600,000\/s with its callers' calls and retries \(about 51,840,000,000 requests\)/,
      ),
    ]);
    // The predictive HPA: an interval within a tick, a season of 1e10 intervals, ARIMA's default window.
    const predictive = (p: string) =>
      graph({
        web: `, autoscaler: { type: hpa, metric: { type: offeredRps, targetPerReplica: 12 }, predictive: ${p} }`,
      });
    expect(problems(predictive("{ forecaster: holt-winters, season: 2e-9, interval: 1e-9 }")).join()).toMatch(
      /predictive\.interval: expected an interval of a whole number of service ticks \(1 s each\), found 1e-9 s/,
    );
    // A part tick would make the run keep intervals of 2 ticks where the season and history count 1.5.
    expect(problems(predictive("{ forecaster: seasonal-naive, season: 15, interval: 1.5 }")).join()).toMatch(
      /predictive\.interval: expected an interval of a whole number of service ticks \(1 s each\), found 1\.5 s/,
    );
    expect(problems(predictive("{ forecaster: seasonal-naive, season: 1e10, interval: 1 }")).join()).toMatch(
      /predictive\.season: expected at most 100,000 intervals in a season .* found 10,000,000,000/,
    );
    expect(problems(predictive("{ forecaster: arima, season: 1e5, interval: 1 }")).join()).toMatch(
      /predictive\.season: expected a refit window of at most 200,000 intervals .* found 700,000 \(the default: 7 seasons\)/,
    );
  });

  it("refuse a time window that ends before it begins: it would select no task (an empty run with exit 0)", () => {
    const windowed = GOOD.replace("scheduler:", "    transforms: [{ type: window, from: 2h, to: 1h }]\nscheduler:");
    expect(problems(windowed)).toEqual([
      expect.stringMatching(
        /transforms\[0\]\.to: expected a window that ends after it begins \(from 7200 s\), found to 3600 s/,
      ),
    ]);
  });

  it("bound functions, drawn samples and replicas too", () => {
    const functions = (fields: string) =>
      GOOD.replace(/ {2}- type: poisson[\s\S]*?scheduler:/, `  - { type: functions, name: f, ${fields} }\nscheduler:`);
    expect(problems(functions("functions: 20000000"))).toEqual([
      expect.stringMatching(/workloads\[0\]\.functions: expected at most 10,000,000 functions .* found 20,000,000$/),
    ]);
    // The Azure fit's mean rate per function: 10^−1.555 · e^((1.772 · ln 10)² / 2) / 60 = 1.913/s, so a
    // million functions over 2 h are about 1.38e10 invocations; rescaled to 1e6/s, 7.2e9.
    expect(problems(functions("functions: 1000000"))).toEqual([
      expect.stringMatching(
        /workloads\[0\]\.functions: expected at most 100,000,000 tasks .* up to 191\d{4}\.\d+\/s \(about 13,7\d\d,/,
      ),
    ]);
    expect(problems(functions("functions: 100, scaleToInvocationsPerS: 1e6"))).toEqual([
      expect.stringMatching(/workloads\[0\]\.scaleToInvocationsPerS: .* \(about 7,200,000,000 tasks\)/),
    ]);
    expect(() => loadScenarioFile(write(functions("functions: 1000")))).not.toThrow();
    const sample = GOOD.replace(
      "    task:",
      "    transforms: [{ type: sample, until: { field: count, total: 1e12 } }]\n    task:",
    );
    expect(problems(sample)).toEqual([
      expect.stringMatching(
        /workloads\[0\]\.transforms\[0\]\.until\.total: expected at most 100,000,000 tasks drawn, found a count of 1,000,000,000,000$/,
      ),
    ]);
    const replicas = GOOD.replace(
      /workloads:[\s\S]*?scheduler:/,
      [
        "services:",
        '  - { name: web, replica: { cpu: "1", memory: 1Gi }, replicas: 2, maxReplicas: 20000000, serviceTime: 100ms, cpuPerRequest: 0.01,',
        "      slo: { percentile: 99, target: 1s }, rate: [{ type: constant, ratePerS: 10 }] }",
        "scheduler:",
      ].join("\n"),
    );
    // Named at the largest service's bound (a --set of another field of services is not blamed).
    expect(problems(replicas)).toEqual([
      expect.stringMatching(
        /services\[0\]\.maxReplicas: expected at most 10,000,000 replicas over all services .* found 20,000,000$/,
      ),
    ]);
  });
});

describe("YAML syntax errors", () => {
  it("refuse a piecewise rate whose points are out of time order, naming the line and the point; a step is allowed", () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-piecewise-"));
    const file = join(dir, "s.yaml");
    const scenario = (points: string) =>
      [
        "duration: 1h",
        "cluster:",
        '  nodeGroups: [{ name: n, count: 2, cpu: "8", memory: 32Gi }]',
        "workloads:",
        "  - type: rate-curve",
        "    rate:",
        "      - type: piecewise",
        `        points: ${points}`,
        '    task: { run: { dist: exponential, mean: 60 }, cpu: "1", memory: 1Gi }',
        "scheduler: { name: best-fit }",
      ].join("\n");
    writeFileSync(file, scenario("[[0, 1], [1800, 2], [600, 0.5]]"));
    expect(() => loadScenarioFile(file)).toThrow(
      /s\.yaml:8: workloads\[0\]\.rate\[0\]\.points\[2\]\[0\]: expected times in order \(a step repeats a time\), found 600 s after 1800 s/,
    );
    writeFileSync(file, scenario("[[0, 1], [600, 1], [600, 3], [1800, 2]]"));
    expect(() => loadScenarioFile(file)).not.toThrow();
  });

  it("name the line they are on, not line 0", () => {
    const found = problems("duration: 2h\ncluster:\n  nodeGroups: [\n    - bad\nscheduler: x\n");
    expect(found[0]).toMatch(/:4: expected valid YAML or JSON, found Block collections are not allowed/);
  });
});
