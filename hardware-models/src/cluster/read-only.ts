/**
 * Read-only views of the objects a run hands to plug-ins (a pod, a task, a service, group totals): a
 * write through one is refused and recorded, so that the plug-in's wrapper can stop the run naming it
 * even when the plug-in caught the error. Proxies rather than frozen copies: a copy costs an allocation
 * per call, and a write to a frozen object is silent in sloppy-mode code (a TypeScript plug-in
 * compiled to CommonJS), where a proxy's trap always sees it.
 */

/** The error a refused write throws inside the plug-in (the run reports it through its WriteLog). */
export class ReadOnlyWrite extends Error {
  override readonly name = "ReadOnlyWrite";
}

/** The first write a plug-in attempted through its views since the last `take` ("wrote pod.cpuMilli"). */
export class WriteLog {
  private first: string | undefined;

  /** Record the attempt `what` (found after the fact: nothing to refuse any more). */
  note(what: string): void {
    this.first ??= what;
  }

  /** Record the attempt `what` and refuse it. */
  refuse(what: string): never {
    this.note(what);
    throw new ReadOnlyWrite(`${what}: plug-ins see a read-only view`);
  }

  /** The first attempt recorded, cleared. */
  take(): string | undefined {
    const w = this.first;
    this.first = undefined;
    return w;
  }
}

function key(p: string | symbol): string {
  return typeof p === "symbol" ? `[${p.description ?? "symbol"}]` : /^\d+$/.test(p) ? `[${p}]` : `.${p}`;
}

/**
 * Deep read-only proxies, one per object (cached, so handing the same task twice allocates nothing),
 * named by the path they were first reached by ("pod", "pod.tolerations[0]"). `unwrap` gives back the
 * run's own object when a plug-in passes a proxy to the run (ctx.evict(task)).
 */
export class ReadOnlyObjects {
  private readonly proxies = new WeakMap<object, object>();
  private readonly targets = new WeakMap<object, object>();
  /** The last value unwrapped and what it gave: a strategy passes its pod to view.fits once per node. */
  private lastIn: object | undefined;
  private lastOut: object | undefined;

  constructor(readonly log: WriteLog) {}

  wrap<T>(value: T, path: string): T {
    if (typeof value !== "object" || value === null) return value;
    // A typed array's methods need the array itself as `this`: hand a copy, which the run never reads.
    if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
    const known = this.proxies.get(value);
    if (known) return known as T;
    const proxy = new Proxy(value, this.handler(path, Object.isFrozen(value)));
    this.proxies.set(value, proxy);
    this.targets.set(proxy, value);
    return proxy as T;
  }

  unwrap<T>(value: T): T {
    if (typeof value !== "object" || value === null) return value;
    if (value === this.lastIn) return this.lastOut as T;
    const out = this.targets.get(value) ?? value;
    this.lastIn = value;
    this.lastOut = out;
    return out as T;
  }

  /**
   * A copy of `value`'s fields for one call, its nested objects read-only proxies, for what a plug-in
   * reads in a loop over the nodes (a strategy's pod): a proxy's trap costs some 20 ns a read, which
   * made reading `pod.cpuMilli` per node most of a decision. The copy reads as fast as the object and
   * costs one small object per call (a cache of copies per object cost more, in its WeakMap, than it
   * saved: most pods are decided once); sealed, so that no field is added; `compare` after the call
   * notes a write to it, in sloppy mode too. Passed back to the view (`fits(node, pod)`), the last copy
   * made unwraps to `value`.
   */
  copy<T extends object>(value: T, path: string): T {
    const copy = { ...value } as Record<string, unknown>;
    for (const k in copy) {
      const v = copy[k];
      if (typeof v === "object" && v !== null) copy[k] = this.wrap(v, `${path}${key(k)}`);
    }
    this.lastIn = copy;
    this.lastOut = value;
    return Object.seal(copy) as T;
  }

  /** After the call: note in the log the first field of `copy` (made from `value`) that the plug-in changed. */
  compare(copy: object, value: object, path: string): void {
    const mine = copy as Record<string, unknown>;
    const theirs = value as Record<string, unknown>;
    for (const k in mine) {
      const v = theirs[k];
      const was = typeof v === "object" && v !== null ? this.proxies.get(v) : v;
      if (!Object.is(mine[k], was)) {
        this.log.note(`wrote ${path}${key(k)}`);
        return;
      }
    }
  }

  private handler(path: string, frozen: boolean): ProxyHandler<object> {
    const log = this.log;
    return {
      // A frozen object's properties must read as themselves (a proxy invariant); the rest read as
      // read-only views too, so that pod.tolerations.push(...) is refused as pod.x = y is.
      get: (t, p) => {
        const v = (t as Record<string | symbol, unknown>)[p];
        return frozen || typeof v !== "object" || v === null ? v : this.wrap(v, `${path}${key(p)}`);
      },
      set: (_t, p) => log.refuse(`wrote ${path}${key(p)}`),
      defineProperty: (_t, p) => log.refuse(`wrote ${path}${key(p)}`),
      deleteProperty: (_t, p) => log.refuse(`deleted ${path}${key(p)}`),
      setPrototypeOf: () => log.refuse(`set the prototype of ${path}`),
      preventExtensions: () => log.refuse(`froze ${path}`),
    };
  }
}
