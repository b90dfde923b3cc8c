import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RandomStreams } from "@clustersim/sim-core";
import { mutate } from "./mutate.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "cli", "bin", "clustersim.js");
const TRACES = join(ROOT, "..", "shared", "traces");

/** An input path: how a mutated file is handed to the command. */
interface Target {
  name: string;
  /** The seed file's text, and the file name the mutant is written as. */
  text: string;
  file: string;
  args(path: string, out: string): string[];
}

/** The first `bytes` of a file, cut at a line end: real traces are large. */
const head = (path: string, bytes = 6000) => {
  const text = readFileSync(path, "utf8").slice(0, bytes);
  return text.slice(0, text.lastIndexOf("\n") + 1);
};

function targets(): Target[] {
  const out: Target[] = [];
  // Every example scenario, validated and run (shortened to a minute of simulated time).
  for (const dir of ["scenarios", "hardware", "services", "controllers"]) {
    const base = join(ROOT, "examples", dir);
    for (const f of readdirSync(base).filter((x) => x.endsWith(".yaml"))) {
      const text = readFileSync(join(base, f), "utf8");
      out.push({ name: `validate ${dir}/${f}`, text, file: f, args: (p) => ["validate", p] });
      out.push({
        name: `run ${dir}/${f}`,
        text,
        file: f,
        args: (p, o) => ["run", p, "--out", o, "--quiet", "--set", "duration=60s"],
      });
    }
  }
  out.push({
    name: "sweep examples/sweep-quick.yaml",
    text: readFileSync(join(ROOT, "examples", "sweep-quick.yaml"), "utf8"),
    file: "sweep.yaml",
    args: (p, o) => ["sweep", p, "--out", o, "--quiet"],
  });
  // The head of each real trace, read by its loader.
  const traces: [string, string][] = [
    ["swf", "swf/lublin_256.swf"],
    ["openb-pods", "alibaba-gpu-v2023/openb_pod_list_default.csv"],
    ["openb-nodes", "alibaba-gpu-v2023/openb_node_list_gpu_node.csv"],
    ["azure-llm", "azure-llm-2023/AzureLLMInferenceTrace_conv.csv"],
  ];
  for (const [format, rel] of traces) {
    const path = join(TRACES, rel);
    if (!existsSync(path)) continue;
    out.push({
      name: `trace-stats ${format}`,
      text: head(path),
      file: rel.split("/").pop()!,
      args: (p) => ["trace-stats", "--format", format, p],
    });
  }
  return out;
}

export interface FuzzFinding {
  target: string;
  why: string;
  input: string;
  stderr: string;
}

export interface FuzzReport {
  seconds: number;
  inputs: number;
  targets: number;
  exits: Record<string, number>;
  findings: FuzzFinding[];
}

/** Run the command on one input; what was wrong with how it ended, if anything. */
function attempt(
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ why?: string; code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b) => {
      if (stderr.length < 20_000) stderr += b;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      let why: string | undefined;
      if (signal === "SIGKILL") why = `no exit within ${timeoutMs / 1000} s (a hang?)`;
      else if (code !== 0 && code !== 2) why = `exit code ${code}`;
      else if (/internal error/.test(stderr)) why = "an internal error";
      else if (/\n\s+at /.test(stderr)) why = "a stack trace";
      done({ why, code, stderr });
    });
  });
}

/**
 * Feed mutated example scenarios, sweeps and real trace heads to every input path of the command for
 * `seconds`, `parallel` at a time; every input must end with exit code 0 or 2, promptly, without an
 * internal error or a stack trace. Findings are written to `saveDir` (input and stderr).
 */
export async function fuzz(o: {
  seconds: number;
  seed: number;
  parallel: number;
  timeoutMs: number;
  saveDir?: string;
}): Promise<FuzzReport> {
  const all = targets();
  const rng = new RandomStreams(o.seed).get("fuzz");
  const work = mkdtempSync(join(tmpdir(), "clustersim-fuzz-"));
  const report: FuzzReport = { seconds: o.seconds, inputs: 0, targets: all.length, exits: {}, findings: [] };
  const end = Date.now() + o.seconds * 1000;
  let k = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const n = k++;
      const target = all[rng.int(0, all.length - 1)];
      const input = mutate(target.text, rng);
      const dir = join(work, String(n));
      mkdirSync(dir);
      const path = join(dir, target.file);
      writeFileSync(path, input);
      const r = await attempt(target.args(path, join(dir, "out")), ROOT, o.timeoutMs);
      report.inputs++;
      const exit = String(r.code);
      report.exits[exit] = (report.exits[exit] ?? 0) + 1;
      if (r.why) {
        report.findings.push({ target: target.name, why: r.why, input, stderr: r.stderr.slice(0, 2000) });
        if (o.saveDir) {
          mkdirSync(o.saveDir, { recursive: true });
          writeFileSync(join(o.saveDir, `${report.findings.length}-${target.file}`), input);
          writeFileSync(
            join(o.saveDir, `${report.findings.length}-stderr.txt`),
            `${target.name}: ${r.why}\n${r.stderr}`,
          );
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: o.parallel }, worker));
  if (existsSync(work) && statSync(work).isDirectory()) rmSync(work, { recursive: true, force: true });
  return report;
}
