/**
 * bench/rng: 53-bit uniform draws per second from seedrandom's generators, in one run: Tyche-i (what
 * sim-core's named streams use) against seedrandom's default ARC4 and its other fast generators, and
 * sim-core's `Rng.next()` wrapper around Tyche-i. CPU-time draws/s, median of 3.
 *
 * Usage: npm run -s bench:rng -- [--json] [--draws N]
 */
import { RandomStreams } from "@clustersim/sim-core";
import seedrandom from "seedrandom";
import { benchArgs } from "../lib/args.js";
import { rate, table } from "../lib/format.js";

const { values } = benchArgs("rng", {
  options: { json: { type: "boolean", default: false }, draws: { type: "string", default: "5000000" } },
});
const draws = Number(values.draws);

const generators: Record<string, () => () => number> = {
  "seedrandom tychei": () => {
    const g = seedrandom.tychei("bench/arrivals");
    return () => g.double();
  },
  "seedrandom arc4 (default)": () => {
    const g = seedrandom("bench/arrivals");
    return () => g.double();
  },
  "seedrandom xor4096": () => {
    const g = seedrandom.xor4096("bench/arrivals");
    return () => g.double();
  },
  "seedrandom alea": () => {
    const g = seedrandom.alea("bench/arrivals");
    return () => g.double();
  },
  "sim-core Rng.next (tychei)": () => {
    const r = new RandomStreams(1).get("arrivals");
    return () => r.next();
  },
};

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const rows = Object.entries(generators).map(([impl, make]) => {
  const rates: number[] = [];
  let sink = 0;
  for (let rep = 0; rep < 4; rep++) {
    const next = make();
    const t0 = cpuSeconds();
    for (let i = 0; i < draws; i++) sink += next();
    const t1 = cpuSeconds();
    if (rep > 0) rates.push(draws / (t1 - t0)); // the first repetition warms the JIT
  }
  if (sink < 0) throw new Error("unreachable");
  rates.sort((a, b) => a - b);
  return { impl, drawsPerS: Math.round(rates[1]) };
});

if (values.json) {
  process.stdout.write(`${JSON.stringify(rows)}\n`);
} else {
  console.log(
    `rng: 53-bit uniform draws per second (CPU time, median of 3 after a warm-up), ${draws.toLocaleString("en-US")} draws each`,
  );
  const arc4 = rows.find((r) => r.impl.startsWith("seedrandom arc4"))!.drawsPerS;
  console.log(
    table(
      ["", "impl", "draws/s", "ns/draw", "x arc4"],
      rows.map((r) => ["", r.impl, rate(r.drawsPerS), (1e9 / r.drawsPerS).toFixed(1), (r.drawsPerS / arc4).toFixed(2)]),
    ),
  );
}
