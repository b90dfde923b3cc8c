import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url));

// Skipping the browser tests is allowed only when asked, and the run says so first.
if (process.env.CLUSTERSIM_SKIP_BROWSER === "1") {
  process.stderr.write("CLUSTERSIM_SKIP_BROWSER=1: the viewer's tests in a browser are skipped\n");
}

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the CLI tests run the built command as a user would.
    alias: {
      "@clustersim/sim-core": src("sim-core"),
      "@clustersim/scenarios": src("scenarios"),
      "@clustersim/hardware-models": src("hardware-models"),
      "@clustersim/schedulers": src("schedulers"),
      "@clustersim/workloads": src("workloads"),
      "@clustersim/replay": src("replay"),
      "@clustersim/engine": src("engine"),
      "@clustersim/files": src("files"),
      "@clustersim/rl": src("rl"),
      "@clustersim/experiments": src("experiments"),
    },
  },
  test: {
    include: ["*/test/**/*.test.ts", "test/**/*.test.ts"],
    // Every core: a 2-core machine otherwise gets one test file at a time.
    maxWorkers: availableParallelism(),
    // Test files in a worker share one module graph: the packages are imported once per worker, not
    // once per file (import time 48 s → 10 s over the suite). Safe while no test changes shared state:
    // no mocks, stubbed globals, faked timers, environment or directory changes (test/architecture).
    isolate: false,
    // Hang guards only, never a verdict: no test passes or fails by how busy the machine is. Heavy tests
    // bound their work in events, epochs or runs; a test still going after 15 minutes has hung.
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
