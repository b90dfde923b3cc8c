/**
 * bench/core-hold: the hold model at 1e3, 1e5 and 1e6 pending events, comparing in one run
 *   1. clustersim's event queue (and its full run loop),
 *   2. JS queues a user might pick instead (flatqueue, heap-js),
 *   3. C++ std::priority_queue (bench/cpp/hold.cpp, compiled here with g++ -O2),
 *   4. SimPy 2 (Debian's python3-simpy; installed when running as root, else skipped with a hint),
 *   5. the queue designs the core did not choose (binary and 4-ary heaps).
 * Rates are CPU-time events per second, the median of --reps repetitions, each after a warm-up.
 * Every implementation must report the same checksum (final time, last id); the bench fails if not.
 *
 * Usage: npm run -s bench:core -- [--json] [--sizes 1000,100000,1000000] [--events N] [--reps N]
 *        [--only impl,impl] [--no-simpy]
 */

import { fileURLToPath } from "node:url";
import { benchArgs } from "../lib/args.js";
import { rate, sizeLabel, table } from "../lib/format.js";
import { BENCH_ROOT, buildCpp, ensureSimPy, runJson } from "../lib/peers.js";
import { type HoldResult, JS_IMPLS } from "./impls.js";

const { values } = benchArgs("core", {
  options: {
    json: { type: "boolean", default: false },
    sizes: { type: "string", default: "1000,100000,1000000" },
    events: { type: "string", default: "1000000" },
    reps: { type: "string", default: "3" },
    seed: { type: "string", default: "42" },
    only: { type: "string" },
    "no-simpy": { type: "boolean", default: false },
  },
});

const sizes = values.sizes.split(",").map(Number);
const events = Number(values.events);
const reps = Number(values.reps);
const seed = Number(values.seed);
const log = (line: string) => process.stderr.write(`${line}\n`);
if (sizes.some((n) => !(Number.isInteger(n) && n > 0)) || !(events > 0) || !(reps >= 1)) {
  log("bench:core: --sizes takes positive integers, --events and --reps positive numbers");
  process.exit(2);
}

type Row = { impl: string; pending: number } & HoldResult;
const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));
const wanted = (impl: string) => !values.only || values.only.split(",").includes(impl);

const cpp = buildCpp("hold");
if ("error" in cpp) log(`C++ peer skipped: ${cpp.error}`);
const simpy = values["no-simpy"] || !wanted("simpy") ? { error: "not requested" } : ensureSimPy(log);
if ("error" in simpy && !values["no-simpy"] && wanted("simpy")) log(`SimPy peer skipped: ${simpy.error}`);

const rows: Row[] = [];
for (const pending of sizes) {
  // Warm-up: at least one full turnover of the queue, and enough events for the JIT to settle.
  const warmup = Math.max(pending, 500_000);
  const args = [String(pending), String(warmup), String(events), String(reps), String(seed)];
  const run = (impl: string, cmd: string, argv: string[], flags: string[] = []) => {
    log(`  ${sizeLabel(pending)} pending: ${impl} ...`);
    rows.push({ impl, pending, ...runJson<HoldResult>(cmd, argv, flags) });
  };
  if ("path" in cpp && wanted("cpp")) run("cpp-priority_queue", cpp.path, args);
  for (const impl of JS_IMPLS.filter(wanted)) run(impl, process.execPath, [CHILD, impl, ...args], ["--expose-gc"]);
  if ("python" in simpy) run("simpy2", simpy.python, [`${BENCH_ROOT}python/hold_simpy.py`, ...args]);
}

// Checksums: every implementation processed the same events in the same order.
let mismatch = false;
for (const pending of sizes) {
  const at = rows.filter((r) => r.pending === pending);
  const ref = at[0];
  for (const r of at) {
    if (r.finalTime !== ref.finalTime || r.lastId !== ref.lastId) {
      mismatch = true;
      log(
        `CHECKSUM MISMATCH at ${pending} pending: ${r.impl} (${r.finalTime}, ${r.lastId}) vs ${ref.impl} (${ref.finalTime}, ${ref.lastId})`,
      );
    }
  }
}

const cppRate = (pending: number) =>
  rows.find((r) => r.pending === pending && r.impl === "cpp-priority_queue")?.eventsPerS ?? NaN;
const out = rows.map((r) => ({
  impl: r.impl,
  pending: r.pending,
  eventsPerS: Math.round(r.eventsPerS),
  ratioToCpp: Number((r.eventsPerS / cppRate(r.pending)).toFixed(3)),
  bytesPerEvent: Number(r.bytesPerEvent.toFixed(1)),
}));

if (values.json) {
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  const simpyRate = (pending: number) =>
    rows.find((r) => r.pending === pending && r.impl === "simpy2")?.eventsPerS ?? NaN;
  console.log(
    `core-hold: hold model, CPU-time events/s, median of ${reps}; ${events.toLocaleString("en-US")} timed events after warm-up; seed ${seed}`,
  );
  console.log(
    table(
      ["pending", "impl", "events/s", "x C++", "x SimPy", "bytes/event"],
      out.map((r) => [
        sizeLabel(r.pending),
        r.impl,
        rate(r.eventsPerS),
        Number.isFinite(r.ratioToCpp) ? r.ratioToCpp.toFixed(2) : "-",
        Number.isFinite(simpyRate(r.pending)) ? (r.eventsPerS / simpyRate(r.pending)).toFixed(1) : "-",
        Number.isFinite(r.bytesPerEvent) ? r.bytesPerEvent.toFixed(1) : "-",
      ]),
    ),
  );
  console.log(
    mismatch
      ? "checksums DIFFER: see above"
      : "checksums (final time, last id) agree across all implementations at every size",
  );
}
process.exitCode = mismatch ? 1 : 0;
