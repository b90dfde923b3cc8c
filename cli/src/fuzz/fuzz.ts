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
import { RandomStreams, type Rng } from "@clustersim/sim-core";
import { mutate } from "./mutate.js";
import { servicesJudged } from "./services-judged.js";
import { servicesScenario } from "./services-scenario.js";

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
  /** Files written beside the mutant, unmutated (a scenario naming a mutated checkpoint). */
  beside?: Record<string, string>;
  /**
   * The mutant is the command's standard input (requests to `env serve`), and its replies on standard
   * output must not report an internal error either: the server answers a bad request and goes on.
   */
  stdin?: boolean;
  /** Draws a fresh input instead of mutating `text` (a generator that knows the input's structure). */
  generate?: (rng: Rng) => string;
  /** What is wrong with a run that exited 0, judged from its results in `out`, if anything. */
  judge?: (out: string) => string | undefined;
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
  out.push(...rlTargets());
  out.push({
    name: "run generated services",
    text: "",
    file: "services.yaml",
    generate: servicesScenario,
    args: (p, o) => ["run", p, "--out", o, "--quiet", "--check"],
    judge: servicesJudged,
  });
  return out;
}

/**
 * The RL inputs: a trained agent's checkpoint (read by a scenario's rl-kernel scheduler, as eval-rl and
 * --resume read one: a run of a minute is cheaper than an evaluation), the queue environment file
 * (read by `env serve`, which then ends at the end of its empty input), and requests to the server.
 */
function rlTargets(): Target[] {
  const lublin = join(TRACES, "swf", "lublin_256.swf");
  if (!existsSync(lublin)) return [];
  // The examples name the shared traces relative to themselves; the mutants are written elsewhere.
  const absolute = (text: string) => text.replaceAll("../../../shared/traces/swf/lublin_256.swf", lublin);
  const example = (f: string) => readFileSync(join(ROOT, "examples", f), "utf8");
  const scenario = absolute(example("scenarios/lublin-window.yaml"))
    .replace("name: fcfs", "name: rl-kernel")
    .replace("params: { backfill: easy }", "params: { backfill: easy, checkpoint: agent.json }");
  const envFile = absolute(example("rl/queue-lublin1.yaml"));
  const requests = [
    { spaces: {} },
    { reset: { seed: 1 } },
    { step: { action: 0 } },
    { step: { action: 1 } },
    { reset: { seed: 2, start: 100 } },
    { step: { action: 0 } },
  ];
  return [
    {
      name: "run rl-kernel examples/rl/ppo-queue-lublin1.json",
      text: example("rl/ppo-queue-lublin1.json"),
      file: "agent.json",
      beside: { "scenario.yaml": scenario },
      args: (p, o) => ["run", join(p, "..", "scenario.yaml"), "--out", o, "--quiet", "--set", "duration=60s"],
    },
    { name: "env serve rl/queue-lublin1.yaml", text: envFile, file: "env.yaml", args: (p) => ["env", "serve", p] },
    {
      name: "env serve requests",
      text: `${requests.map((r) => JSON.stringify(r)).join("\n")}\n`,
      file: "requests.jsonl",
      beside: { "env.yaml": envFile },
      stdin: true,
      args: (p) => ["env", "serve", join(p, "..", "env.yaml")],
    },
  ];
}

export interface FuzzFinding {
  target: string;
  why: string;
  input: string;
  stderr: string;
}

export interface FuzzReport {
  /** Seconds it ran (under `seconds` when it stopped at `inputs`). */
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
  input?: string,
): Promise<{ why?: string; code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      stdio: [input === undefined ? "ignore" : "pipe", input === undefined ? "ignore" : "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stderr!.on("data", (b) => {
      if (stderr.length < 20_000) stderr += b;
    });
    if (input !== undefined) {
      // The server's replies, read at the end: one that reports a defect is marked "internal error".
      child.stdout!.on("data", (b: Buffer) => {
        if (stdout.length < 20_000_000) stdout += b;
      });
      child.stdin!.on("error", () => {}); // a server that ended early closed its input: its exit tells
      child.stdin!.end(input);
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      let why: string | undefined;
      if (signal === "SIGKILL") why = `no exit within ${timeoutMs / 1000} s (a hang?)`;
      else if (code !== 0 && code !== 2) why = `exit code ${code}`;
      else if (/internal error/.test(stderr)) why = "an internal error";
      else if (/"error":"internal error/.test(stdout)) why = "an internal error in a reply";
      else if (/\n\s+at /.test(stderr)) why = "a stack trace";
      done({ why, code, stderr });
    });
  });
}

/**
 * Feed mutated example scenarios, sweeps, real trace heads, a trained agent's checkpoint, the queue
 * environment file and requests to its server to every input path of the command for
 * `seconds` (or until `inputs` have been fed, if sooner), `parallel` at a time; every input must end
 * with exit code 0 or 2, promptly, without an internal error or a stack trace. Findings are written to
 * `saveDir` (input and stderr). The inputs are drawn in one order from `seed`: a count of them is the
 * same inputs on any machine, however busy.
 */
export async function fuzz(o: {
  seconds: number;
  inputs?: number;
  seed: number;
  parallel: number;
  timeoutMs: number;
  saveDir?: string;
  /** Only the input paths whose name contains this ("generated services", "env serve"). */
  only?: string;
}): Promise<FuzzReport> {
  const all = targets().filter((t) => o.only === undefined || t.name.includes(o.only));
  if (all.length === 0) throw new Error(`no input path's name contains "${o.only}"`);
  const rng = new RandomStreams(o.seed).get("fuzz");
  const work = mkdtempSync(join(tmpdir(), "clustersim-fuzz-"));
  const report: FuzzReport = { seconds: o.seconds, inputs: 0, targets: all.length, exits: {}, findings: [] };
  const began = Date.now();
  const end = began + o.seconds * 1000;
  let k = 0;
  const worker = async () => {
    while (Date.now() < end && (o.inputs === undefined || k < o.inputs)) {
      const n = k++;
      const target = all[rng.int(0, all.length - 1)];
      const input = target.generate ? target.generate(rng) : mutate(target.text, rng);
      const dir = join(work, String(n));
      mkdirSync(dir);
      const path = join(dir, target.file);
      writeFileSync(path, input);
      for (const [name, text] of Object.entries(target.beside ?? {})) writeFileSync(join(dir, name), text);
      const out = join(dir, "out");
      const r = await attempt(target.args(path, out), ROOT, o.timeoutMs, target.stdin ? input : undefined);
      if (!r.why && r.code === 0 && target.judge) r.why = target.judge(out);
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
  report.seconds = Math.round((Date.now() - began) / 100) / 10;
  if (existsSync(work) && statSync(work).isDirectory()) rmSync(work, { recursive: true, force: true });
  return report;
}
