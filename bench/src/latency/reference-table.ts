/**
 * bench/latency/reference-table: the near-saturation references of the latency agreement grid, the
 * table `experiments/test/latency-reference.json` holds and the test judges the fluid model against.
 * Each cell (c ∈ {1, 10, 100}, ρ ∈ {0.95, 0.99}, service CV ∈ {0, 1, 2}) is one long run of the FCFS
 * M/G/c reference (experiments/src/builtin/fcfs-reference.ts) on seed 1: 10⁸ requests at ρ 0.95, 4·10⁸
 * at 0.99 and 10⁹ for the log-normal there (its mean's interval is 3% at 4·10⁸), where one run's p99
 * scatters by tens of percent at 10⁶: about 40 minutes of one core for all 18 cells; `--rho`, `--c`
 * and `--cv` take part of the table, so processes can share it. Near saturation
 * the per-request model's event loop at these lengths would take hours; the test checks the reference
 * against it, and against M/M/c's closed form, where both are cheap.
 *
 * Usage: npm run -s bench:latency-reference -- [--rho 0.95|0.99] [--c N] [--cv K] [--scale F] [--into FILE]
 * prints the table (`--scale` multiplies every cell's requests: 0.01 for a quick look); with `--into`,
 * the cells made replace theirs in FILE's table and the rest are kept, so processes that each make
 * part of it can write one file in turn.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type FcfsReferenceRow, fcfsReferenceStream, fcfsSteady, serviceTimeWithCv } from "@clustersim/experiments";
import { benchArgs } from "../lib/args.js";

const { values } = benchArgs("latency-reference", {
  options: {
    rho: { type: "string" },
    c: { type: "string" },
    cv: { type: "string" },
    scale: { type: "string", default: "1" },
    into: { type: "string" },
  },
});
const scale = Number(values.scale);
const only = (given: string | undefined, all: number[]) => (given === undefined ? all : [Number(given)]);
const loads = only(values.rho, [0.95, 0.99]);
const servers = only(values.c, [1, 10, 100]);
const cvs = only(values.cv, [0, 1, 2]);
if (
  !(scale > 0) ||
  loads.some((r) => r !== 0.95 && r !== 0.99) ||
  servers.some((c) => ![1, 10, 100].includes(c)) ||
  cvs.some((k) => ![0, 1, 2].includes(k))
) {
  process.stderr.write(
    "bench:latency-reference: --rho takes 0.95 or 0.99, --c 1, 10 or 100, --cv 0, 1 or 2, --scale a positive number\n",
  );
  process.exit(2);
}
/** Requests per cell: enough that two standard errors stay within 0.6 of the grid's tolerances. */
const requestsOf = (rho: number, cv: number) => (rho === 0.95 ? 1e8 : cv === 2 ? 1e9 : 4e8);
const SEED = 1;
const rows: FcfsReferenceRow[] = [];
for (const rho of loads) {
  for (const c of servers) {
    for (const cv of cvs) {
      const requests = Math.round(scale * requestsOf(rho, cv));
      const stream = fcfsReferenceStream(c, rho, cv);
      const r = fcfsSteady(c, rho, serviceTimeWithCv(cv, c / 1000), requests, SEED, stream);
      rows.push({
        c,
        rho,
        cv,
        stream,
        requests: r.requests,
        meanS: r.meanS,
        p99S: r.p99S,
        meanErr2S: 2 * r.meanSe,
        p99Err2S: 2 * r.p99Se,
      });
      process.stderr.write(`c ${c}, ρ ${rho}, CV ${cv}: done\n`);
    }
  }
}
const sameCell = (a: FcfsReferenceRow, b: FcfsReferenceRow) => a.c === b.c && a.rho === b.rho && a.cv === b.cv;
const order = (a: FcfsReferenceRow, b: FcfsReferenceRow) => a.rho - b.rho || a.c - b.c || a.cv - b.cv;
let table: FcfsReferenceRow[] = rows;
if (values.into && existsSync(values.into)) {
  const kept = (JSON.parse(readFileSync(values.into, "utf8")).rows as FcfsReferenceRow[]).filter(
    (r) => !rows.some((n) => sameCell(n, r)),
  );
  table = [...kept, ...rows].sort(order);
}
const text = `${JSON.stringify({ seed: SEED, rows: table }, null, 2)}\n`;
if (values.into) writeFileSync(values.into, text);
else process.stdout.write(text);
