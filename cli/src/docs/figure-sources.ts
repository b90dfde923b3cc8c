import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile } from "@clustersim/scenarios";

const ROOT = new URL("../../../", import.meta.url).pathname;
const BIN = join(ROOT, "cli/bin/clustersim.js");

/** Run `clustersim ARGS --out DIR` from the checkout as a reader would, and read FILE of its output. */
function clustersim(args: readonly string[], file: string): unknown {
  const out = mkdtempSync(join(tmpdir(), "clustersim-figures-"));
  try {
    const r = spawnSync(process.execPath, [BIN, ...args, "--out", out], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`clustersim ${args.join(" ")} failed (exit ${r.status}):\n${r.stderr}`);
    return JSON.parse(readFileSync(join(out, file), "utf8"));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A sweep file's report, run as the docs name it: `npx clustersim sweep FILE --workers 2`. */
function sweep(file: string, heavy?: string) {
  return {
    command: `npx clustersim sweep ${file} --workers 2: report.json`,
    run: () => clustersim(["sweep", file, "--workers", "2", "--quiet"], "report.json"),
    ...(heavy && { heavy }),
  };
}

/** `--set services.N.latency=per-request` for every service of a scenario file, as read from it. */
function perRequest(file: string): string[] {
  const services = loadScenarioFile(join(ROOT, file)).services;
  return services.flatMap((_, i) => ["--set", `services.${i}.latency=per-request`]);
}

/** The scaled preset with 50 times its gateway traffic, nodes and batch, for its first 10 minutes. */
const FIFTY_TIMES = [
  ...["--set", "cluster.nodeGroups.0.count=200", "--set", "services.0.rate.0.ratePerS=9050"],
  ...["--set", "workloads.0.ratePerS=1", "--set", "duration=10m", "--set", "outputs.windows=[]"],
  ...["--set", "outputs.timeseriesInterval=1"],
];

/**
 * The runs the docs' figures come from, by name: each is the command a page names, run as written
 * (same file, same seed, from the checkout), and the output file its figures are read from. A `heavy`
 * source (minutes of runs) is rerun by `npm run docs:figures` only; `npm test` checks its marks' form.
 */
export const FIGURE_SOURCES: Record<string, { command: string; run(): unknown; heavy?: string }> = {
  double11: {
    command: "npm start, that is clustersim run examples/double11/double11.yaml: summary.json",
    run: () => clustersim(["run", "examples/double11/double11.yaml", "--quiet"], "summary.json"),
  },
  "double11-per-request": {
    // The file is read when the source runs, not when the list is loaded.
    command:
      "npx clustersim run examples/double11/double11.yaml --set services.N.latency=per-request for each service N: summary.json",
    run: () =>
      clustersim(
        ["run", "examples/double11/double11.yaml", ...perRequest("examples/double11/double11.yaml"), "--quiet"],
        "summary.json",
      ),
  },
  "double11-x50": {
    command: `npx clustersim run examples/double11/double11.yaml ${FIFTY_TIMES.join(" ")}: summary.json`,
    run: () => clustersim(["run", "examples/double11/double11.yaml", ...FIFTY_TIMES, "--quiet"], "summary.json"),
    heavy: "the preset's first 10 minutes at 50 times its traffic, a few seconds",
  },
  "double11-x50-per-request": {
    command: `npx clustersim run examples/double11/double11.yaml ${FIFTY_TIMES.join(" ")} --set services.N.latency=per-request for each service N: summary.json`,
    run: () =>
      clustersim(
        [
          "run",
          "examples/double11/double11.yaml",
          ...FIFTY_TIMES,
          ...perRequest("examples/double11/double11.yaml"),
          "--quiet",
        ],
        "summary.json",
      ),
    heavy: "the same per request, about 30 s (cli/test/call-graph-swing.test.ts runs both)",
  },
  "double11-full": {
    command: "npx clustersim run examples/double11/double11-full.yaml: summary.json",
    run: () => clustersim(["run", "examples/double11/double11-full.yaml", "--quiet"], "summary.json"),
    heavy: "the Double-11 day at full scale, about 4½ minutes on one core",
  },
  "double11-burst": sweep(
    "examples/double11/serverless-burst.yaml",
    "20 runs of the Double-11 preset, about 2 minutes on 2 cores",
  ),
  "double11-colocation": sweep(
    "examples/double11/colocation.yaml",
    "20 runs of the Double-11 preset, about 2 minutes on 2 cores",
  ),
  "double11-placement": sweep(
    "examples/double11/placement.yaml",
    "30 runs of the Double-11 preset, about 3 minutes on 2 cores",
  ),
  "double11-function-runtime": sweep(
    "examples/double11/function-runtime.yaml",
    "40 runs of the Double-11 preset, about 7 minutes on 2 cores",
  ),
  "double11-dpu": sweep("examples/double11/dpu.yaml", "20 runs of the Double-11 preset, about 4 minutes on 2 cores"),
  "double11-hpa-target": sweep(
    "examples/double11/hpa-target.yaml",
    "30 runs of the Double-11 preset, about 5 minutes on 2 cores",
  ),
  "double11-service-runtime": sweep(
    "examples/double11/service-runtime.yaml",
    "40 runs of the Double-11 preset, about 4 minutes on 2 cores",
  ),
  "double11-cxl": sweep("examples/double11/cxl.yaml", "30 runs of the Double-11 preset, about 3 minutes on 2 cores"),
  "double11-predictive": sweep(
    "examples/double11/predictive.yaml",
    "40 runs of the Double-11 preset, about 4 minutes on 2 cores",
  ),
  "runtime-prediction": sweep(
    "examples/predictive/runtime-prediction.yaml",
    "30 runs over weeks of the RICC log, about 3 minutes on 2 cores",
  ),
  keepalive: sweep(
    "examples/predictive/keepalive.yaml",
    "110 runs of a day of the Azure Functions sample, about 6 minutes on 2 cores",
  ),
  "predictive-reclaim": sweep(
    "examples/predictive/reclaim.yaml",
    "20 runs of the Double-11 preset, about 5 minutes on 2 cores",
  ),
  "load-aware-placement": sweep("examples/predictive/placement.yaml"),
  "compare-fgd": sweep("examples/compare-fgd.yaml"),
};
