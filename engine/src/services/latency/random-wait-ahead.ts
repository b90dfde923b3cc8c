import { type MgcWaiting, mgcWaiting } from "./mgc-waiting.js";

/**
 * The random part of a fluid queue's wait (./queue-diffusion.ts): its mean after a tick at `ratePerS`,
 * from its mean `now` (`servers` of `capacity` requests a second in all, holds of squared variation
 * `scv`; `probe` is scratch), toward the M/G/c steady state at that load, but no faster than the diffusion moves in a tick: up, at most as far as its
 * spread in a tick without drift (E|B| of a Brownian motion, √(4Dt/π), added in quadrature to the
 * mean now; all of it at or above saturation); down, by the relaxation of its mean near the steady
 * state, e^(−t/τ), but by no more than its drift, 1 − ρ seconds a second (a wait left by an overload
 * drains at that). A surrogate of QueueDiffusion.advance for a caller's bisection: closed form,
 * continuous and non-decreasing in the load.
 */
export function randomWaitAhead(
  now: number,
  ratePerS: number,
  capacity: number,
  servers: number,
  scv: number,
  dtS: number,
  probe: MgcWaiting,
): number {
  const rho = ratePerS / capacity;
  const d = (Math.min(rho, 1) + Math.max(scv, 1e-6)) / (2 * capacity);
  const up = Math.sqrt(now * now + (4 / Math.PI) * d * dtS);
  if (!(rho < 1)) return up;
  const drained = now - (1 - rho) * dtS;
  const w = mgcWaiting(servers, ratePerS, capacity / servers, scv, probe);
  if (!(w.probWait > 0)) return Math.max(0, drained);
  const steady = w.probWait / w.rate;
  if (steady >= now) return Math.min(steady, up);
  return Math.max(steady + (now - steady) * Math.exp(-dtS * w.rate * (1 - rho)), drained);
}
