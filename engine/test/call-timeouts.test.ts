import {
  type CallConfig,
  callAttempts,
  constantServiceTime,
  DiscreteTime,
  exponentialServiceTime,
  type ServiceConfig,
} from "@clustersim/engine";
import { RateCurve } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { nodes, runServices, service } from "./service-fixtures.js";

const exp = (mean: number) => DiscreteTime.fromQuantile((u) => -mean * Math.log1p(-u));
const rel = (x: number, ref: number) => Math.abs(x / ref - 1);
const call = (fields: Partial<CallConfig>): CallConfig => ({ service: "backend", perRequest: 1, ...fields });

describe("a call's attempts composed (the fluid model's distributions)", () => {
  it("a timeout τ caps an exponential: E[min(T, τ)] = 1 − e^−τ, P(T > τ) = e^−τ, E[T | T ≤ τ] = (1 − (1 + τ)e^−τ)/(1 − e^−τ)", () => {
    for (const tau of [0.5, 1, 2]) {
      const t = exp(1);
      expect(t.capped(tau).mean()).toBeCloseTo(1 - Math.exp(-tau), 3);
      expect(rel(1 - t.cdf(tau), Math.exp(-tau))).toBeLessThan(0.01);
      expect(rel(t.below(tau)!.mean(), (1 - (1 + tau) * Math.exp(-tau)) / (1 - Math.exp(-tau)))).toBeLessThan(0.005);
      // Nothing is above the cap.
      expect(t.capped(tau).quantile(0.999)).toBeCloseTo(tau, 9);
    }
  });

  it("a response always slower than the timeout: 3 attempts of τ = 0.2 s and 2 back-offs of 50 ms, 0.7 s, and the call fails", () => {
    const a = callAttempts(DiscreteTime.at(0.5), 0, call({ timeoutS: 0.2, retries: 2, backoffS: 0.05 }));
    expect(a.failProb).toBe(1);
    expect(a.attempts).toBe(3);
    expect(a.timeoutShare).toBe(1);
    for (const q of [0.01, 0.5, 0.999]) expect(a.time!.quantile(q)).toBeCloseTo(0.7, 9);
    // A timeout alone: min(0.5, 0.2).
    expect(callAttempts(DiscreteTime.at(0.5), 0, call({ timeoutS: 0.2 })).time!.mean()).toBeCloseTo(0.2, 9);
  });

  it("retries after timeouts: p = e^−τ, (1 − p^(r+1))/(1 − p) attempts, failure p^(r+1), time E[N]·(1 − e^−τ) + back-off × (E[N] − 1) (Wald)", () => {
    for (const [tau, retries, backoffS] of [
      [1, 2, 0.1],
      [0.5, 3, 0.025],
    ]) {
      const a = callAttempts(exp(1), 0, call({ timeoutS: tau, retries, backoffS }));
      const p = Math.exp(-tau);
      const attempts = (1 - p ** (retries + 1)) / (1 - p);
      expect(rel(a.attempts, attempts)).toBeLessThan(0.005);
      expect(rel(a.failProb, p ** (retries + 1))).toBeLessThan(0.02);
      expect(rel(a.time!.mean(), attempts * (1 - p) + backoffS * (attempts - 1))).toBeLessThan(0.005);
    }
  });

  it("retries after errors: failing 1 in 5, with 2 retries a call is Erlang-1, 2 or 3 with chances 0.8, 0.16, 0.04", () => {
    const a = callAttempts(exp(1), 0.2, call({ retries: 2 }));
    expect(a.failProb).toBeCloseTo(0.008, 12);
    expect(a.attempts).toBeCloseTo(1.24, 12);
    expect(a.timeoutShare).toBe(0);
    for (const x of [0.5, 1, 2, 3, 5]) {
      const e = Math.exp(-x);
      const cdf = 0.8 * (1 - e) + 0.16 * (1 - e * (1 + x)) + 0.04 * (1 - e * (1 + x + (x * x) / 2));
      expect(a.time!.cdf(x)).toBeCloseTo(cdf, 2);
    }
  });

  it("refuses a bad policy with the field", () => {
    const run = (c: Partial<CallConfig>) =>
      runServices(nodes(1, 4), [service({ name: "a", calls: [call(c)] }), service({ name: "backend" })], 10);
    expect(() => run({ retries: 1.5 })).toThrow(
      "service a: calls[0].retries: expected a whole number of retries from 0 to 10, found 1.5",
    );
    expect(() => run({ timeoutS: 0 })).toThrow("service a: calls[0].timeoutS: expected a timeout > 0 s, found 0");
    expect(() => run({ backoffS: -1 })).toThrow("service a: calls[0].backoffS: expected a back-off ≥ 0 s, found -1");
  });
});

type Models = ServiceConfig["latency"];
const MODELS: Models[] = ["fluid-mean", "per-request"];

/** A frontend of 50 replicas (10 ms of its own per request) calling `backend` once per request with `policy`. */
function frontend(latency: Models, ratePerS: number, policy: Partial<CallConfig>, fields: Partial<ServiceConfig> = {}) {
  return service({
    name: "frontend",
    latency,
    initialReplicas: 50,
    serviceTime: constantServiceTime(0.01),
    cpuSecondsPerRequest: 0,
    rate: new RateCurve([{ type: "constant", ratePerS }]),
    calls: [call(policy)],
    ...fields,
  });
}

const backend = (latency: Models, fields: Partial<ServiceConfig>) =>
  service({ name: "backend", latency, cpuSecondsPerRequest: 0, ...fields });

/** The figures after a 60 s warm-up; per request over 2 h (more requests against its noise). */
const run = (services: ServiceConfig[], latency: Models) =>
  runServices(nodes(8, 16), services, latency === "per-request" ? 7200 : 3600, undefined, [], {
    warmupS: 60,
  }).summary();

describe("timeouts and retries in a run: both models against the hand-worked figures", () => {
  it.each(MODELS)("%s: a backend of 0.5 s behind a 0.2 s timeout fails every request, each holding 0.2 s", (m) => {
    const s = run(
      [frontend(m, 5, { timeoutS: 0.2 }), backend(m, { initialReplicas: 5, serviceTime: constantServiceTime(0.5) })],
      m,
    );
    const f = s.frontend;
    // 10 ms of its own, then the call cut at 0.2 s, whatever the backend's wait.
    expect(f.latencyMeanS).toBeCloseTo(0.21, 9);
    expect(f.callTimeoutShare_backend).toBe(1);
    expect(f.sloAttainment).toBe(0);
    // All fail but those served before the backend had answered anything (its replicas start 5 s late).
    expect(f.requestsFailed / f.requestsServed).toBeGreaterThan(0.998);
    // The backend is not told: it serves every call anyway.
    expect(s.backend.requestsServed).toBeCloseTo(f.requestsServed, -1);
    expect(f.callRetriesPerRequest_backend).toBe(0);
  });

  it.each([
    ["fluid-mean", 0.01, 0.005],
    ["per-request", 0.05, 0.03],
  ] as const)(
    "%s: an exponential response of mean 0.2 s behind a 0.2 s timeout: e^−1 fail, the call holds 0.2(1 − e^−1)",
    (m, shareTol, meanTol) => {
      // The backend is M/M/1 at ρ 0.5: its response is exponential at 5/s (call-graph.test.ts).
      const s = run([frontend(m, 5, { timeoutS: 0.2 }), backend(m, { serviceTime: exponentialServiceTime(0.1) })], m);
      const f = s.frontend;
      expect(rel(f.callTimeoutShare_backend, Math.exp(-1))).toBeLessThan(shareTol);
      expect(rel(f.requestsFailed / f.requestsServed, Math.exp(-1))).toBeLessThan(shareTol);
      expect(rel(f.latencyMeanS, 0.01 + 0.2 * (1 - Math.exp(-1)))).toBeLessThan(meanTol);
      // The 0.2 s cap is the frontend's slowest response.
      expect(f.latencyP99S).toBeLessThan(0.01 + 0.2 + 0.002);
    },
  );

  // p = e^−1 per attempt whatever the load: the backend's 20 servers never queue (M/M/20 at 0.75 Erlang),
  // so its response is its exponential service of 0.1 s, and the timeout is 0.1 s.
  const p = Math.exp(-1);
  const attempts = 1 + p + p * p;

  it.each([
    ["fluid-mean", 0.01],
    ["per-request", 0.04],
  ] as const)(
    "%s: 2 retries after timeouts: p³ fail, the backend sees 1 + p + p² calls per request, each waiting 25 ms",
    (m, tol) => {
      const s = run(
        [
          frontend(m, 5, { timeoutS: 0.1, retries: 2, backoffS: 0.025 }),
          backend(m, { initialReplicas: 20, serviceTime: exponentialServiceTime(0.1) }),
        ],
        m,
      );
      const f = s.frontend;
      expect(rel(f.requestsFailed / f.requestsServed, p ** 3)).toBeLessThan(2 * tol);
      expect(rel(s.backend.requests / f.requests, attempts)).toBeLessThan(tol);
      expect(rel(f.callRetriesPerRequest_backend, attempts - 1)).toBeLessThan(2 * tol);
      expect(rel(f.callTimeoutShare_backend, p)).toBeLessThan(tol);
      // Wald: E[N] attempts of E[min(T, 0.1)] = 0.1(1 − p) each, and a back-off before each retry.
      expect(rel(f.latencyMeanS, 0.01 + attempts * 0.1 * (1 - p) + 0.025 * (attempts - 1))).toBeLessThan(tol);
    },
  );

  it.each([
    ["fluid-mean", 0.01],
    ["per-request", 0.04],
  ] as const)(
    "%s: 2 retries of a backend that fails e^−1 of its requests (its own call times out): e^−3 fail",
    (m, tol) => {
      // The backend (10 ms, then a call to a db of 0.1 s exponential cut at 0.1 s) fails e^−1 of its
      // requests; the frontend retries each failure twice, without a timeout of its own.
      const s = run(
        [
          frontend(m, 5, { retries: 2 }),
          backend(m, {
            initialReplicas: 20,
            serviceTime: constantServiceTime(0.01),
            calls: [{ service: "db", perRequest: 1, timeoutS: 0.1 }],
          }),
          service({ name: "db", latency: m, initialReplicas: 20, cpuSecondsPerRequest: 0 }),
        ],
        m,
      );
      const f = s.frontend;
      expect(rel(s.backend.requestsFailed / s.backend.requestsServed, p)).toBeLessThan(tol);
      expect(rel(f.requestsFailed / f.requestsServed, p ** 3)).toBeLessThan(2 * tol);
      // Retry amplification reaches down the graph: the db receives what the backend does.
      expect(rel(s.backend.requests / f.requests, attempts)).toBeLessThan(tol);
      expect(rel(s.db.requests / f.requests, attempts)).toBeLessThan(tol);
      expect(f.callTimeoutShare_backend).toBe(0);
      // Wald again: E[N] attempts of the backend's response, 10 ms + 0.1(1 − e^−1).
      expect(rel(f.latencyMeanS, 0.01 + attempts * (0.01 + 0.1 * (1 - p)))).toBeLessThan(tol);
    },
  );
});

describe("retries that load their callee", () => {
  it("fluid: retries after timeouts of an M/M/1 backend settle where p = e^(−τ(μ − λ(1 + p + p²)))", () => {
    // 2 requests/s, each retried twice at most after a 0.1 s timeout, at a backend of 10/s: the
    // backend's load sets its response (exponential at μ − λ_in), which sets the timeouts, which set
    // its load. The fixed point, by bisection (the left side falls from above p to below it).
    const g = (x: number) => 1 + x + x * x;
    let lo = 0;
    let hi = 1;
    for (let k = 0; k < 100; k++) {
      const mid = (lo + hi) / 2;
      if (Math.exp(-0.1 * (10 - 2 * g(mid))) > mid) lo = mid;
      else hi = mid;
    }
    const q = lo;
    expect(q).toBeCloseTo(0.528, 3);
    const s = run(
      [
        frontend("fluid-mean", 2, { timeoutS: 0.1, retries: 2 }),
        backend("fluid-mean", { serviceTime: exponentialServiceTime(0.1) }),
      ],
      "fluid-mean",
    );
    const f = s.frontend;
    expect(rel(s.backend.requests / f.requests, g(q))).toBeLessThan(0.01);
    expect(rel(f.requestsFailed / f.requestsServed, q ** 3)).toBeLessThan(0.02);
    const responseS = 1 / (10 - 2 * g(q));
    expect(rel(f.latencyMeanS, 0.01 + g(q) * responseS * (1 - q))).toBeLessThan(0.01);
    // The retries' load shows in the timeouts: without it the backend (exponential at 10 − 2 = 8/s)
    // would time out e^−0.8 = 0.449 of the attempts.
    expect(rel(f.callTimeoutShare_backend, q)).toBeLessThan(0.01);
  });

  it("per request (exactly) the same graph runs hotter still: a retry queues behind its own timed-out attempt", () => {
    // The callee is not told of a timeout, so the attempt is still at the backend when its retry
    // arrives (no back-off): the retry waits at least for that attempt's remaining service and then
    // serves its own, at least an Erlang-2 at 10/s (service is memoryless), over 0.1 s with chance
    // e^−1(1 + 1) = 2/e whatever the load. A first attempt takes at least its own service, over 0.1 s
    // with chance e^−1. So a request fails with chance at least e^−1(2/e)² = 4/e³ = 0.199, above the
    // fixed point's q³ = 0.147 (which takes attempts as independent), and makes at least
    // 1 + e^−1 + 2/e² = 1.64 attempts. Measured: 0.51 fail, 2.13 attempts, 0.77 of them time out.
    const g = 1 + 0.528 + 0.528 ** 2;
    const s = run(
      [
        frontend("per-request", 2, { timeoutS: 0.1, retries: 2 }),
        backend("per-request", { serviceTime: exponentialServiceTime(0.1) }),
      ],
      "per-request",
    );
    const e = Math.E;
    const fail = s.frontend.requestsFailed / s.frontend.requestsServed;
    const attempts = s.backend.requests / s.frontend.requests;
    expect(fail).toBeGreaterThan(4 / e ** 3);
    expect(fail).toBeGreaterThan(0.528 ** 3);
    expect(attempts).toBeGreaterThan(1 + 1 / e + 2 / e ** 2);
    expect(attempts).toBeGreaterThan(g);
    // Of the attempts, the first times out with chance ≥ 1/e, each retry with ≥ 2/e.
    expect(s.frontend.callTimeoutShare_backend).toBeGreaterThan(1 / e);
  });

  it.each([
    ["fluid-mean", 0.1],
    ["per-request", 0.15],
  ] as const)(
    "%s: a retry storm: 3 retries at a backend 10% over capacity add load and fail as many requests",
    (m, failTol) => {
      // 11 requests/s at a backend that serves 10/s and drops what waits 5 s. Without retries it drops
      // 1/11 and so fails 1/11 of the frontend's requests. With 3 retries, independent attempts failing
      // 1/11 would fail (1/11)⁴ = 7e-5 of them; but the backend still answers only 10/s, so the frontend
      // still fails 1/11 (its successes are the backend's). The frontend holds each request for its
      // attempts (20 replicas of 10 slots: room for all of them).
      const storm = (retries: number) =>
        run(
          [
            frontend(m, 11, { retries }, { initialReplicas: 20, concurrency: 10, timeoutS: 5 }),
            backend(m, { serviceTime: exponentialServiceTime(0.1), timeoutS: 5 }),
          ],
          m,
        );
      const calm = storm(0);
      expect(rel(calm.frontend.requestsFailed / calm.frontend.requestsServed, 1 / 11)).toBeLessThan(failTol);
      const s = storm(3);
      const f = s.frontend;
      const amplification = s.backend.requests / f.requests;
      // Attempts failing independently with p, p⁴ = 1/11: the backend receives (1 − p⁴)/(1 − p) = 2.02
      // calls per request (the fluid model's composition assumes it).
      const pStorm = (1 / 11) ** (1 / 4);
      const independent = (1 - 1 / 11) / (1 - pStorm);
      if (m === "fluid-mean") expect(rel(amplification, independent)).toBeLessThan(0.03);
      else {
        // Exactly, a request's attempts are not independent: a retry is sent the moment its attempt is
        // dropped, in the cluster its attempt was turned away in, and meets a full queue more often than
        // a fresh arrival (measured: a first attempt fails 0.42 of the time, the retries after a failure
        // 0.54, 0.59, 0.61). With each attempt's failure chance p_k at least the one before it and
        // p₁p₂p₃p₄ = 1/11, the products p₁…p_k are at most p^k, so fewer than the 2.02 calls of
        // independent attempts; and at least 1 + 3/11 (every failure on all four attempts). 1.77 here.
        expect(amplification).toBeLessThan(independent);
        expect(amplification).toBeGreaterThan(1 + 3 / 11);
      }
      expect(rel(f.requestsFailed / f.requestsServed, 1 / 11)).toBeLessThan(failTol);
      expect(f.requestsFailed / f.requestsServed).toBeGreaterThan(100 * (1 / 11) ** 4);
      // The backend serves no more than before: the retries are load, not capacity.
      expect(rel(s.backend.requestsServed, calm.backend.requestsServed)).toBeLessThan(0.02);
      // Retried calls per request served: the calls beyond the first, as the backend received them.
      expect(rel(f.callRetriesPerRequest_backend, amplification - 1)).toBeLessThan(0.06);
    },
  );
});
