/**
 * bench/overload: kube-scheduler's queue under heavy overload. 64 nodes of 32 cores receive 4 tasks/s of
 * 0.5 to 4 cores for 8 simulated hours (examples/scenarios/poisson-small.yaml scaled: 3,600 cores asked
 * of 2,048; some 34,000 tasks wait by the end), placed by the Kubernetes default with preemption on.
 * Every task leaving moves every unschedulable pod back to be retried, as upstream does. The peer is
 * the same run trying every popped pod (the exhaustive queue); the queue as run fails pods that no node
 * has room for together. Each in its own process, in turn: wall time, processor time, tries, and the
 * checksum of every start, which must agree (the bench fails otherwise). Target: ≤ 5 s for the run.
 *
 * Usage: npm run -s bench:overload -- [--json] [--nodes N] [--hours H] [--seed S]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchArgs } from "../lib/args.js";
import { table } from "../lib/format.js";

const { values } = benchArgs("overload", {
  options: {
    json: { type: "boolean", default: false },
    nodes: { type: "string", default: "64" },
    hours: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
  },
});
const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));
const TARGET_WALL_S = 5;

interface Row {
  mode: string;
  wallS: number;
  cpuS: number;
  tries: number;
  started: number;
  waitingAtEnd: number;
  checksum: number;
}

function measure(mode: "quiet" | "every"): Row {
  const r = spawnSync(
    process.execPath,
    [CHILD, "--mode", mode, "--nodes", values.nodes, "--hours", values.hours, "--seed", values.seed],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) {
    process.stderr.write(`bench:overload: the ${mode} run failed:\n${r.stderr}`);
    process.exit(1);
  }
  return JSON.parse(r.stdout) as Row;
}

const quiet = measure("quiet");
const every = measure("every");
if (quiet.checksum !== every.checksum || quiet.tries !== every.tries || quiet.waitingAtEnd !== every.waitingAtEnd) {
  process.stderr.write(
    `bench:overload: the two queues decided differently (starts ${quiet.checksum} against ${every.checksum}, tries ${quiet.tries} against ${every.tries})\n`,
  );
  process.exit(1);
}
const ratio = quiet.wallS / every.wallS;
if (values.json) {
  process.stdout.write(`${JSON.stringify({ rows: [quiet, every], wallRatio: ratio, targetWallS: TARGET_WALL_S })}\n`);
} else {
  process.stdout.write(
    `bench:overload — ${values.nodes} nodes, ${values.hours} h at 4 tasks/s, kubernetes-default; target ${TARGET_WALL_S} s\n`,
  );
  process.stdout.write(
    `${table(
      ["queue", "wall s", "÷ target", "CPU s", "tries", "started", "waiting at end"],
      [
        ["fails hopeless pods together", quiet],
        ["tries every pod (peer)", every],
      ].map(([name, r]) => {
        const row = r as Row;
        return [
          name as string,
          row.wallS.toFixed(2),
          (row.wallS / TARGET_WALL_S).toFixed(2),
          row.cpuS.toFixed(2),
          row.tries.toLocaleString("en"),
          row.started.toLocaleString("en"),
          row.waitingAtEnd.toLocaleString("en"),
        ];
      }),
    )}\n`,
  );
  process.stdout.write(`wall time ${ratio.toFixed(3)}× the peer's; the same starts, tries and waiting pods\n`);
}
