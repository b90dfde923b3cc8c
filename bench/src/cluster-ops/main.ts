/**
 * bench/cluster-ops: best-fit placements (find the tightest feasible node for a random request and apply
 * it) and releases, per second, at 1,000 / 10,000 / 100,000 nodes kept about 70% full (CPU), comparing
 * in one run the placement index (`ClusterState.bestFitNode`) with a linear scan over all nodes. Both
 * run the same seeded sequence of requests and releases on the same cluster model; only the search
 * differs. Before timing, the index's choice is checked against the scan's on the first 5,000
 * operations at each size: the node it picks must have exactly the scan's least free CPU (ties may
 * pick different nodes, so the timed runs are not compared node by node). Rates are CPU-time
 * operations per second (a placement or a release is one operation).
 *
 * Usage: npm run -s bench:cluster-ops -- [--json] [--sizes 1000,10000,100000] [--ops N]
 */
import { ClusterState, type NodeSpec, type Request } from "@clustersim/hardware-models";
import { RandomStreams, type Rng } from "@clustersim/sim-core";
import { benchArgs } from "../lib/args.js";
import { rate, sizeLabel, table } from "../lib/format.js";

const { values } = benchArgs("cluster-ops", {
  options: {
    json: { type: "boolean", default: false },
    sizes: { type: "string", default: "1000,10000,100000" },
    ops: { type: "string", default: "400000" },
    seed: { type: "string", default: "7" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const opsTarget = Number(values.ops);
const seed = Number(values.seed);

type Impl = "index" | "scan";

function cluster(n: number, rng: Rng): ClusterState {
  const cores = [32, 64, 96, 128];
  const specs: NodeSpec[] = Array.from({ length: n }, () => {
    const c = rng.pick(cores);
    return { cpuMilli: c * 1000, memoryMiB: c * 4096 };
  });
  return new ClusterState(specs);
}

function request(rng: Rng): Request {
  const cpu = Math.round(250 * 2 ** (rng.next() * 5)); // 250 m to 8 cores, log-uniform
  return { cpuMilli: cpu, memoryMiB: Math.round((cpu / 1000) * 4096 * rng.uniform(0.5, 1.5)) };
}

function scanBestFit(c: ClusterState, r: Request): number {
  let best = -1;
  let bestFree = Infinity;
  for (let i = 0; i < c.nodeCount; i++) {
    const free = c.freeCpuMilli(i);
    if (free >= r.cpuMilli && free < bestFree && c.freeMemoryMiB(i) >= r.memoryMiB) {
      best = i;
      bestFree = free;
    }
  }
  return best;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Result {
  impl: Impl;
  nodes: number;
  opsPerS: number;
  /** Operations on which the index's choice differed from the scan's best free CPU (verify runs). */
  disagreements: number;
}

/**
 * One run: fill to 70% with the index (not timed; a scan would take hours at 100,000 nodes), then
 * `ops` timed operations choosing nodes with `impl`. With `verify`, each choice is also checked
 * against the scan, untimed rates.
 */
function run(impl: Impl, n: number, ops: number, verify = false): Result {
  const streams = new RandomStreams(seed);
  const c = cluster(n, streams.get("nodes"));
  const reqs = streams.get("requests");
  const picks = streams.get("releases");
  const fill = (r: Request) => c.bestFitNode(r);
  const find = impl === "index" ? fill : (r: Request) => scanBestFit(c, r);
  let capacity = 0;
  for (let i = 0; i < n; i++) capacity += c.allocatableCpuMilli(i);
  const live: number[] = [];
  const cpuOf: number[] = [];
  let used = 0;
  // Fill to 70% of CPU (not timed).
  while (used < 0.7 * capacity) {
    const r = request(reqs);
    const node = fill(r);
    if (node < 0) break;
    live.push(c.place(node, r));
    cpuOf.push(r.cpuMilli);
    used += r.cpuMilli;
  }
  // Steady state: release a random placement, place a new request; about 70% full throughout.
  let disagreements = 0;
  const t0 = cpuSeconds();
  for (let k = 0; k < ops; k += 2) {
    const i = Math.floor(picks.next() * live.length);
    c.release(live[i]);
    used -= cpuOf[i];
    live[i] = live[live.length - 1];
    cpuOf[i] = cpuOf[cpuOf.length - 1];
    live.pop();
    cpuOf.pop();
    const r = request(reqs);
    const node = find(r);
    if (verify) {
      const best = scanBestFit(c, r);
      if (best < 0 !== node < 0 || (node >= 0 && c.freeCpuMilli(best) !== c.freeCpuMilli(node))) disagreements++;
    }
    if (node >= 0) {
      live.push(c.place(node, r));
      cpuOf.push(r.cpuMilli);
      used += r.cpuMilli;
    }
  }
  const t1 = cpuSeconds();
  return { impl, nodes: n, opsPerS: ops / (t1 - t0), disagreements };
}

const rows: Result[] = [];
let mismatch = false;
for (const n of sizes) {
  // The scan costs O(nodes) per placement: give it fewer operations at scale (same sequence prefix).
  const scanOps = Math.max(2000, Math.min(opsTarget, Math.round((opsTarget * 1000) / n)));
  const checked = run("index", n, 5000, true);
  if (checked.disagreements > 0) {
    mismatch = true;
    process.stderr.write(
      `INDEX WRONG at ${n} nodes: ${checked.disagreements} of 5000 choices differ from the scan's best fit\n`,
    );
  }
  rows.push(run("index", n, opsTarget), run("scan", n, scanOps));
}

const out = rows.map(({ impl, nodes, opsPerS }) => ({ impl, nodes, opsPerS: Math.round(opsPerS) }));
if (values.json) {
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  console.log(`cluster-ops: best-fit place + release at ~70% CPU allocation, CPU-time operations/s; seed ${seed}`);
  console.log(
    table(
      ["nodes", "impl", "ops/s", "ns/op", "x scan"],
      out.map((r) => {
        const scan = out.find((s) => s.nodes === r.nodes && s.impl === "scan")!.opsPerS;
        return [
          sizeLabel(r.nodes),
          r.impl,
          rate(r.opsPerS),
          (1e9 / r.opsPerS).toFixed(0),
          (r.opsPerS / scan).toFixed(1),
        ];
      }),
    ),
  );
  console.log(
    mismatch
      ? "the index DISAGREED with the scan: see above"
      : "verified: the index chose a node with the scan's least free CPU on 5,000 operations at every size",
  );
}
process.exitCode = mismatch ? 1 : 0;
