/**
 * bench/latency: the fluid latency model against the per-request one, the grid the docs quote.
 * - grid: one service at steady load, c ∈ {1, 10, 100} servers, ρ ∈ {0.5, 0.8, 0.95, 0.99}, service CV
 *   ∈ {0 (constant), 1 (exponential), 2 (log-normal)}; the per-request reference is every request of
 *   one run after a warm-up (`--requests` of them at ρ ≤ 0.8, ten times as many above: near saturation
 *   the reference's own noise is the limit), with two standard errors from 20 batch means.
 * - saturation: a 60 s burst on 10 servers from an empty queue at ρ 0.95 … 1.05 (steps of 0.01),
 *   exponential 0.1 s service; the per-request p99 pools every request of `--runs` bursts.
 * Each row times both models (`fluidS`, `perRequestS`: seconds of this process's CPU).
 *
 * Usage: npm run -s bench:latency -- [--json] [--requests N] [--runs N]
 */
import { burst, fluidSteady, perRequestSteady, serviceTimeWithCv } from "@clustersim/experiments";
import { benchArgs } from "../lib/args.js";
import { table } from "../lib/format.js";

const { values } = benchArgs("latency", {
  options: {
    json: { type: "boolean", default: false },
    requests: { type: "string", default: "1000000" },
    runs: { type: "string", default: "200" },
  },
});
const requests = Number(values.requests);
const runs = Number(values.runs);

interface Row {
  case: "grid" | "saturation";
  c: number;
  rho: number;
  cv: number;
  fluidMeanS: number;
  fluidP99S: number;
  perRequestMeanS: number;
  perRequestP99S: number;
  /** Two standard errors of the reference (grid rows). */
  perRequestMeanErr2S?: number;
  perRequestP99Err2S?: number;
  fluidS: number;
  perRequestS: number;
}

const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const timed = <T>(f: () => T): [T, number] => {
  const t0 = cpuS();
  const r = f();
  return [r, cpuS() - t0];
};

const rows: Row[] = [];
for (const c of [1, 10, 100]) {
  for (const rho of [0.5, 0.8, 0.95, 0.99]) {
    for (const cv of [0, 1, 2]) {
      const time = serviceTimeWithCv(cv, c / 1000);
      const [f, fluidS] = timed(() => fluidSteady(c, rho, time));
      const n = rho > 0.8 ? 10 * requests : requests;
      const [p, perRequestS] = timed(() => perRequestSteady(c, rho, time, n, 1));
      rows.push({
        case: "grid",
        c,
        rho,
        cv,
        fluidMeanS: f.meanS,
        fluidP99S: f.p99S,
        perRequestMeanS: p.meanS,
        perRequestP99S: p.p99S,
        perRequestMeanErr2S: 2 * p.meanSe,
        perRequestP99Err2S: 2 * p.p99Se,
        fluidS,
        perRequestS,
      });
    }
  }
}
for (let k = 95; k <= 105; k++) {
  const rho = k / 100;
  const [b, both] = timed(() => burst(10, rho, serviceTimeWithCv(1, 0.1), 60, runs));
  rows.push({
    case: "saturation",
    c: 10,
    rho,
    cv: 1,
    fluidMeanS: b.fluidMeanS,
    fluidP99S: b.fluidP99S,
    perRequestMeanS: b.perRequestMeanS,
    perRequestP99S: b.perRequestP99S,
    // One burst of the fluid model costs microseconds: the time is the per-request bursts'.
    fluidS: 0,
    perRequestS: both,
  });
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(rows)}\n`);
} else {
  const pct = (a: number, b: number) => `${(100 * (a / b - 1)).toFixed(1)}%`;
  const err = (e: number | undefined, b: number) => (e === undefined ? "-" : `±${((100 * e) / b).toFixed(1)}%`);
  process.stdout.write(
    `${table(
      [
        "case",
        "c",
        "ρ",
        "CV",
        "fluid mean",
        "fluid p99",
        "req mean",
        "req p99",
        "Δ mean",
        "Δ p99",
        "ref ±mean",
        "ref ±p99",
      ],
      rows.map((r) => [
        r.case,
        String(r.c),
        String(r.rho),
        String(r.cv),
        r.fluidMeanS.toPrecision(4),
        r.fluidP99S.toPrecision(4),
        r.perRequestMeanS.toPrecision(4),
        r.perRequestP99S.toPrecision(4),
        pct(r.fluidMeanS, r.perRequestMeanS),
        pct(r.fluidP99S, r.perRequestP99S),
        err(r.perRequestMeanErr2S, r.perRequestMeanS),
        err(r.perRequestP99Err2S, r.perRequestP99S),
      ]),
    )}\n`,
  );
  const fluid = rows.reduce((s, r) => s + r.fluidS, 0);
  const perRequest = rows.reduce((s, r) => s + r.perRequestS, 0);
  process.stdout.write(`\nCPU: fluid ${fluid.toFixed(2)} s, per-request ${perRequest.toFixed(1)} s\n`);
}
