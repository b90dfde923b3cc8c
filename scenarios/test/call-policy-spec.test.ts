import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceConfig } from "@clustersim/engine";
import { compileScenario, loadScenarioFile, runScenario, SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "clustersim-calls-"));
let n = 0;
const write = (text: string) => {
  const path = join(dir, `c${n++}.yaml`);
  writeFileSync(path, text);
  return path;
};

/** A frontend calling a backend with `call` (YAML flow fields after service and perRequest). */
const scenario = (call: string) => `name: calls
duration: 10m
cluster:
  nodeGroups: [{ name: a, count: 2, cpu: "16", memory: 64Gi }]
services:
  - name: frontend
    replica: { cpu: 500m, memory: 512Mi }
    replicas: 4
    serviceTime: 10ms
    cpuPerRequest: 0.001
    slo: { target: 500ms }
    rate: [{ type: constant, ratePerS: 20 }]
    calls: [{ service: backend, perRequest: 1${call} }]
  - name: backend
    replica: { cpu: 500m, memory: 512Mi }
    replicas: 4
    serviceTime: { dist: exponential, mean: 0.05 }
    cpuPerRequest: 0.001
    slo: { target: 500ms }
scheduler: { name: kubernetes-default }
outputs: { warmup: 1m }
`;

async function callsOf(text: string): Promise<ServiceConfig["calls"]> {
  const file = write(text);
  const { plan } = await compileScenario(loadScenarioFile(file), file);
  if (plan.scheduler.kind !== "online") throw new Error("expected an online plan");
  return plan.scheduler.services!.configs[0].calls;
}

function problems(text: string): string {
  try {
    loadScenarioFile(write(text));
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems.join("\n");
  }
  throw new Error("expected the scenario to be rejected");
}

describe("a call's timeout, retries and back-off in a scenario", () => {
  it("compile into the engine's call edge, in seconds; absent: no timeout, no retry, no back-off", async () => {
    expect(await callsOf(scenario(", timeout: 200ms, retries: 2, backoff: 25ms"))).toEqual([
      { service: "backend", perRequest: 1, parallel: false, timeoutS: 0.2, retries: 2, backoffS: 0.025 },
    ]);
    expect(await callsOf(scenario(""))).toEqual([
      { service: "backend", perRequest: 1, parallel: false, timeoutS: undefined, retries: 0, backoffS: 0 },
    ]);
  });

  it.each([
    [", retries: 1.5", "calls[0].retries: expected a whole number of retries from 0 to 10"],
    [", retries: 11", "found 11"],
    [", retries: -1", "calls[0].retries: expected a whole number"],
    [", timeout: 0s", "calls[0].timeout: expected a duration > 0"],
    [", backoff: soon", 'calls[0].backoff: expected a duration like 90s, 2h or 1h30m (or seconds), found "soon"'],
  ])("refuse %s with the field", (call, message) => {
    expect(problems(scenario(call))).toContain(message);
  });

  it("name the assumptions they lean on: retries without a back-off say so", async () => {
    const planned = async (call: string) => {
      const file = write(scenario(call));
      return (await compileScenario(loadScenarioFile(file), file)).plan.assumptions.map((a) => a.text.split(":")[0]);
    };
    expect(await planned("")).not.toContain("call timeouts and retries");
    expect(await planned(", retries: 1")).toEqual(
      expect.arrayContaining(["call timeouts and retries", "retry back-off"]),
    );
    expect(await planned(", retries: 1, backoff: 25ms")).not.toContain("retry back-off");
    expect(await planned(", timeout: 1s")).toContain("call timeouts and retries");
  });

  it("name what an exact per-request graph assumes instead of independent attempts", async () => {
    const perRequest = scenario(", timeout: 1s").replaceAll(
      "    slo: { target: 500ms }\n",
      "    slo: { target: 500ms }\n    latency: per-request\n",
    );
    const file = write(perRequest);
    const planned = (await compileScenario(loadScenarioFile(file), file)).plan.assumptions.map(
      (a) => a.text.split(":")[0],
    );
    expect(planned).toEqual(expect.arrayContaining(["exact call graphs", "call timeouts and retries, exactly"]));
    expect(planned).not.toContain("call timeouts and retries");
  });

  it("a run reports retries and timeouts per call edge and over the graph, after the warm-up", async () => {
    const file = write(scenario(", timeout: 20ms, retries: 1"));
    const s = (await runScenario(loadScenarioFile(file), file)).summary as Record<string, unknown> & {
      services: Record<string, Record<string, number>>;
    };
    const f = s.services.frontend;
    // A backend of 50 ms (exponential, 4 servers at 20/s and its retries: ρ 0.4 at most, little wait)
    // behind a 20 ms timeout: about e^−0.4 = 0.67 of attempts time out, a little more with the wait.
    expect(f.callTimeoutShare_backend).toBeGreaterThan(0.67);
    expect(f.callTimeoutShare_backend).toBeLessThan(0.75);
    // One retry: a request retries when its first attempt fails, as often as an attempt times out.
    expect(f.callRetriesPerRequest_backend).toBeCloseTo(f.callTimeoutShare_backend, 2);
    // The whole graph's, the frontend's only edge: retries per request times the requests served
    // after the warm-up (20/s for 9 minutes, drawn); attempts timed out, the first's and the retries'.
    const retries = s.serviceCallRetries as number;
    expect(Math.abs(retries / (f.callRetriesPerRequest_backend * 20 * 540) - 1)).toBeLessThan(0.03);
    expect((s.serviceCallTimeouts as number) / retries).toBeCloseTo(1 + f.callTimeoutShare_backend, 2);
  });
});

describe("a service with no replicas and no autoscaler", () => {
  it("runs (bounds are the autoscaler's): its traffic is dropped at the timeout, and its caller's calls fail", async () => {
    // 20 requests/s for 10 min to a frontend whose backend has no replica: every call waits its 30 s and
    // is dropped, so every frontend request fails or is dropped; before, the unwritten bounds (1 and 0)
    // were refused.
    const file = write(scenario("").replace(/( {2}- name: backend\n.*\n) {4}replicas: 4/, "$1    replicas: 0"));
    const s = (await runScenario(loadScenarioFile(file), file)).summary as {
      services: Record<string, Record<string, number>>;
    };
    const backend = s.services.backend;
    const frontend = s.services.frontend;
    expect(backend.requestsServed).toBe(0);
    // Dropped after 30 s: all but the last 30 s of calls, give or take the Poisson draws.
    expect(backend.requestsDropped / backend.requests).toBeCloseTo(570 / 600, 1);
    // The frontend's 4 slots are each held for the call's 30 s (a callee with no servers tells its
    // callers its timeout once their requests queue), so it serves at most 4 requests every 30 s, 80
    // in 10 minutes, and the rest of its 12,000 wait and are dropped. It learns the callee's failure
    // rate from its answers, the first at 30 s: only what it served before then is not counted failed.
    expect(frontend.requestsServed).toBeLessThan(80 + 20);
    expect(frontend.requestsDropped).toBeGreaterThan(12_000 - 600 - 100);
    expect(frontend.requestsServed - frontend.requestsFailed).toBeGreaterThanOrEqual(0);
    expect(frontend.requestsServed - frontend.requestsFailed).toBeLessThan(20);
  });
});
