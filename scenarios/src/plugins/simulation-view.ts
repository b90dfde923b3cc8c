import type { WriteLog } from "@clustersim/hardware-models";
import type { EventHandle, EventHandler, EventKind, Rng, Simulation } from "@clustersim/sim-core";

/** Marks a plug-in callback as its `doing` (the watchdog's: time limit, exceptions, refused writes). */
type Mark = <A extends unknown[]>(doing: string, fn: (...args: A) => unknown) => (...args: A) => unknown;

/**
 * The event core as a user controller sees it (`ctx.simulation`): the clock read only, event kinds of
 * its own (their handlers marked as its code), and events of those kinds alone scheduled and cancelled.
 * The run's own kinds and events, its random streams, and the loop itself (run, step, stop) are out of
 * reach: scheduling the run's events, or moving its clock, would change the run behind its back.
 */
export function simulationView(sim: Simulation, log: WriteLog, mark: Mark, rng: (name: string) => Rng): Simulation {
  const kinds = new Set<EventKind>();
  const handles = new Set<EventHandle>();
  const own = (kind: EventKind, what: string) => {
    if (!kinds.has(kind)) log.refuse(`called ctx.simulation.${what} with kind ${kind}, not one of its own (on())`);
  };
  const issued = (h: EventHandle) => {
    // Handles of events that fired or were cancelled are dropped now and then, not per event.
    if (handles.size >= 4096) for (const old of handles) if (!sim.isPending(old)) handles.delete(old);
    handles.add(h);
    return h;
  };
  const refused = (what: string) => () => log.refuse(`called ctx.simulation.${what}`);
  const view = {
    get now() {
      return sim.now;
    },
    set now(_t: number) {
      log.refuse("wrote ctx.simulation.now");
    },
    get pending() {
      return sim.pending;
    },
    get eventsProcessed() {
      return sim.eventsProcessed;
    },
    peek: () => sim.peek(),
    rng,
    kindName: (kind: EventKind) => sim.kindName(kind),
    on: (name: string, handler: EventHandler) => {
      const kind = sim.on(`plug-in/${name}`, mark(`its event ${name}`, handler) as EventHandler);
      kinds.add(kind);
      return kind;
    },
    at: (time: number, kind: EventKind, target?: number, arg?: number) => {
      own(kind, "at()");
      return issued(sim.at(time, kind, target, arg));
    },
    after: (delay: number, kind: EventKind, target?: number, arg?: number) => {
      own(kind, "after()");
      return issued(sim.after(delay, kind, target, arg));
    },
    cancel: (h: EventHandle) => {
      if (!handles.has(h)) log.refuse(`called ctx.simulation.cancel() on event ${h}, not one it scheduled`);
      handles.delete(h);
      return sim.cancel(h);
    },
    isPending: (h: EventHandle) => handles.has(h) && sim.isPending(h),
    run: refused("run()"),
    step: refused("step()"),
    stop: refused("stop()"),
    onInstantEnd: refused("onInstantEnd()"),
    requestInstantEnd: refused("requestInstantEnd()"),
  };
  // Typed as the event core: plug-ins written against ctx.simulation keep compiling.
  return Object.freeze(view) as unknown as Simulation;
}
