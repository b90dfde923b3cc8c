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

  /** Record the attempt `what` and refuse it. */
  refuse(what: string): never {
    this.first ??= what;
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
  /** The last proxy unwrapped and its target: a strategy passes its pod to view.fits once per node. */
  private lastProxy: object | undefined;
  private lastTarget: object | undefined;

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
    if (value === this.lastProxy) return this.lastTarget as T;
    const target = this.targets.get(value);
    if (target === undefined) return value;
    this.lastProxy = value;
    this.lastTarget = target;
    return target as T;
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
