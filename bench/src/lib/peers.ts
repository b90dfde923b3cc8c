import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Helpers shared by the benchmarks for building and running their native and Python peers. */

export const BENCH_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const OUT_DIR = `${BENCH_ROOT}out`;

/**
 * Compile a C++ peer from bench/cpp with `g++ -O2` (floating-point contraction off, so results match
 * the JavaScript bit for bit). Rebuilt when the source is newer. Returns the binary's path, or an
 * explanation when no compiler is available.
 */
export function buildCpp(name: string): { path: string } | { error: string } {
  const src = `${BENCH_ROOT}cpp/${name}.cpp`;
  const bin = `${OUT_DIR}/${name}`;
  mkdirSync(OUT_DIR, { recursive: true });
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return { path: bin };
  const r = spawnSync("g++", ["-O2", "-ffp-contract=off", "-std=c++17", "-o", bin, src], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    return {
      error: `g++ could not build ${src}: ${r.error?.message ?? r.stderr.trim()} (install it with: apt-get install g++)`,
    };
  }
  return { path: bin };
}

/** Debian's python3 with SimPy 2 (python3-simpy); pyenv or venv pythons on PATH do not see it. */
const DEBIAN_PYTHON = "/usr/bin/python3";

function hasSimPy(): boolean {
  return spawnSync(DEBIAN_PYTHON, ["-c", "import SimPy.Simulation"], { stdio: "ignore" }).status === 0;
}

/**
 * Make SimPy 2 available: already there, or installed with apt when running as root. Returns the
 * python to run it with, or how to install it.
 */
export function ensureSimPy(log: (line: string) => void): { python: string } | { error: string } {
  if (hasSimPy()) return { python: DEBIAN_PYTHON };
  const how = "apt-get update && apt-get install -y python3-simpy";
  if (process.getuid?.() !== 0) return { error: `SimPy is not installed; as root run: ${how}` };
  log(`installing SimPy 2 (${how}) ...`);
  try {
    execFileSync("sh", ["-c", `${how} >/dev/null 2>&1`], { stdio: "ignore", timeout: 300_000 });
  } catch {
    return { error: `installing SimPy failed; run: ${how}` };
  }
  return hasSimPy() ? { python: DEBIAN_PYTHON } : { error: `SimPy still missing after install; run: ${how}` };
}

/** Run a command that prints one JSON line; parse it. */
export function runJson<T>(cmd: string, args: string[], extraNodeFlags: string[] = []): T {
  const r = spawnSync(cmd, [...extraNodeFlags, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as T;
}
