import {
  ClusterState,
  ReadOnlyClusterView,
  ReadOnlyObjects,
  ReadOnlyWrite,
  WriteLog,
} from "@clustersim/hardware-models";
import { describe, expect, it } from "vitest";

/** Two 4-core nodes with 8 GiB, the second tainted; a fresh view with its log. */
function setup() {
  const cluster = new ClusterState([
    { cpuMilli: 4000, memoryMiB: 8192 },
    {
      cpuMilli: 4000,
      memoryMiB: 8192,
      taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }],
      labels: { a: "b" },
    },
  ]);
  const log = new WriteLog();
  const objects = new ReadOnlyObjects(log);
  return { cluster, log, objects, view: new ReadOnlyClusterView(cluster, objects) };
}

describe("the read-only cluster view plug-ins get", () => {
  it("reads what the cluster reads, as it changes", () => {
    const { cluster, view } = setup();
    cluster.place(0, { cpuMilli: 1500, memoryMiB: 1000 });
    expect(view.freeCpuMilli(0)).toBe(2500);
    expect(view.freeMemoryMiB(0)).toBe(7192);
    expect(view.podsOn(0)).toBe(1);
    expect(view.fits(0, { cpuMilli: 2500, memoryMiB: 1 })).toBe(true);
    expect(view.fits(0, { cpuMilli: 2501, memoryMiB: 1 })).toBe(false);
    // Node 1's taint is not tolerated: only node 0 admits a plain request.
    expect(view.fits(1, { cpuMilli: 1, memoryMiB: 1 })).toBe(false);
    expect(view.totals(-1).allocatedCpuMilli).toBe(1500);
    expect(view.resources.freeCpuMilli[0]).toBe(2500);
    cluster.place(0, { cpuMilli: 500, memoryMiB: 1 });
    // Copied again after the change, on the next read.
    expect(Array.from(view.resources.freeCpuMilli)).toEqual([2000, 4000]);
  });

  it("has copies of the arrays: a write changes nothing in the cluster, and verify() reports it", () => {
    const { cluster, log, view } = setup();
    const free = view.resources.freeCpuMilli;
    expect(free).not.toBe(cluster.resources.freeCpuMilli);
    free[1] = 1e9;
    expect(cluster.freeCpuMilli(1)).toBe(4000);
    expect(() => view.verify()).toThrow(ReadOnlyWrite);
    expect(log.take()).toBe("wrote view.resources.freeCpuMilli[1]");
    // Read again: a fresh copy of the cluster's values.
    expect(view.resources.freeCpuMilli[1]).toBe(4000);
    view.verify();
    expect(log.take()).toBeUndefined();
  });

  it("refuses place, setUp, setPresent and the rest, naming the call, and leaves the cluster as it was", () => {
    const { cluster, log, view } = setup();
    const v = view as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const m of ["place", "release", "resize", "setUp", "setPresent", "setPoolUp"]) {
      expect(() => v[m]!(0, { cpuMilli: 1, memoryMiB: 1 })).toThrow(
        `called view.${m}(): plug-ins see a read-only view`,
      );
      expect(log.take()).toBe(`called view.${m}()`);
    }
    expect(cluster.placements).toBe(0);
    expect(cluster.isUp(0) && cluster.isPresent(0)).toBe(true);
    expect(Object.isFrozen(view)).toBe(true);
  });

  it("hands group totals, labels and taints read only", () => {
    const { log, view } = setup();
    expect(() => {
      (view.totals(-1) as { pods: number }).pods = 5;
    }).toThrow(ReadOnlyWrite);
    expect(log.take()).toBe("wrote view.totals(-1).pods");
    expect(() => {
      (view.labels(1) as Record<string, string>).a = "c";
    }).toThrow(ReadOnlyWrite);
    expect(log.take()).toBe("wrote view.labels(1).a");
    expect(() => (view.taints(1) as unknown as unknown[]).pop()).toThrow(ReadOnlyWrite);
    expect(view.taints(1)).toHaveLength(1);
    expect(view.labels(1).a).toBe("b");
  });
});

describe("read-only objects (a pod, a task)", () => {
  it("refuse writes, deletions and nested writes, recording the first; the run's object is unchanged", () => {
    const log = new WriteLog();
    const objects = new ReadOnlyObjects(log);
    const pod = { id: 3, cpuMilli: 500, memoryMiB: 64, tolerations: [{ key: "x", operator: "Exists" as const }] };
    const ro = objects.wrap(pod, "pod");
    expect(ro.cpuMilli).toBe(500);
    expect(() => {
      ro.cpuMilli = 0;
    }).toThrow("wrote pod.cpuMilli: plug-ins see a read-only view");
    expect(() => {
      delete (ro as Partial<typeof pod>).tolerations;
    }).toThrow("deleted pod.tolerations");
    expect(() => ro.tolerations.push({ key: "y", operator: "Exists" })).toThrow("wrote pod.tolerations[1]");
    expect(() => Object.defineProperty(ro, "gpus", { value: 1 })).toThrow("wrote pod.gpus");
    // The first attempt is the one reported; taking it clears the log.
    expect(log.take()).toBe("wrote pod.cpuMilli");
    expect(log.take()).toBeUndefined();
    expect(pod).toEqual({ id: 3, cpuMilli: 500, memoryMiB: 64, tolerations: [{ key: "x", operator: "Exists" }] });
    // A copy the plug-in makes is its own to change.
    const mine = { ...ro, cpuMilli: 1 };
    expect(mine.cpuMilli).toBe(1);
  });

  it("one proxy per object, and the run's own object back from unwrap", () => {
    const objects = new ReadOnlyObjects(new WriteLog());
    const task = { id: 1 };
    const a = objects.wrap(task, "task");
    expect(objects.wrap(task, "task")).toBe(a);
    expect(a).not.toBe(task);
    expect(objects.unwrap(a)).toBe(task);
    expect(objects.unwrap(task)).toBe(task);
    const other = { id: 2 };
    expect(objects.unwrap(objects.wrap(other, "task"))).toBe(other);
    expect(objects.unwrap(a)).toBe(task);
  });

  it("a copy for a strategy's call: reads as the pod, unwraps to it, and a write to it is found after the call", () => {
    const log = new WriteLog();
    const objects = new ReadOnlyObjects(log);
    const pod = { id: 3, cpuMilli: 500, memoryMiB: 64, tolerations: [{ key: "x", operator: "Exists" as const }] };
    const mine = objects.copy(pod, "pod");
    expect(mine).not.toBe(pod);
    expect(mine.cpuMilli).toBe(500);
    expect(objects.unwrap(mine)).toBe(pod);
    // Nested objects are read-only proxies; no field can be added (sealed).
    expect(() => mine.tolerations.push({ key: "y", operator: "Exists" })).toThrow("wrote pod.tolerations[1]");
    log.take();
    expect(() => Object.assign(mine, { gpus: 1 })).toThrow(TypeError);
    objects.compare(mine, pod, "pod");
    expect(log.take()).toBeUndefined();
    mine.cpuMilli = 0;
    objects.compare(mine, pod, "pod");
    expect(log.take()).toBe("wrote pod.cpuMilli");
    expect(pod.cpuMilli).toBe(500);
    // The next call's copy is the pod as it is then (the run may change its own object: a resize).
    pod.cpuMilli = 700;
    expect(objects.copy(pod, "pod").cpuMilli).toBe(700);
  });

  it("fits the same pod through the view as the cluster fits it (the view unwraps it)", () => {
    const { cluster, objects, view } = setup();
    const pod = { cpuMilli: 100, memoryMiB: 1, tolerations: [{ key: "gpu", operator: "Exists" as const }] };
    const ro = objects.wrap(pod, "pod");
    const mine = objects.copy(pod, "pod");
    for (let n = 0; n < 2; n++) {
      expect(view.fits(n, ro)).toBe(cluster.fits(n, pod));
      expect(view.fits(n, mine)).toBe(cluster.fits(n, pod));
    }
    expect(view.fits(1, ro)).toBe(true);
  });
});

describe("ClusterState.audit", () => {
  it("finds the arrays in agreement with the placements through place, resize, release and node changes", () => {
    const c = new ClusterState([
      { cpuMilli: 8000, memoryMiB: 8192, gpus: 2, nicGbps: 10 },
      { cpuMilli: 8000, memoryMiB: 8192, present: false },
      { cpuMilli: 8000, memoryMiB: 8192, virtual: true },
    ]);
    const a = c.place(0, { cpuMilli: 1000, memoryMiB: 512, gpus: 1, gpuMilli: 500, nicGbps: 2 });
    const b = c.place(0, { cpuMilli: 0, memoryMiB: 100 });
    c.place(2, { cpuMilli: 700, memoryMiB: 70 });
    c.setPresent(1, true);
    c.place(1, { cpuMilli: 300, memoryMiB: 30 });
    c.resize(a, 1500);
    c.release(b);
    c.setUp(0, false);
    expect(c.audit()).toBeUndefined();
  });

  it("names a write that bypassed the engine", () => {
    const c = new ClusterState([
      { cpuMilli: 1000, memoryMiB: 1024 },
      { cpuMilli: 1000, memoryMiB: 1024 },
    ]);
    c.place(0, { cpuMilli: 300, memoryMiB: 100 });
    (c.resources.freeCpuMilli as Float64Array)[1] = 400;
    expect(c.audit()).toBe("node 1: free CPU 400 m, its placements leave 1000 m");
    (c.resources.freeCpuMilli as Float64Array)[1] = 1000;
    (c.totals(-1) as { allocatedMemoryMiB: number }).allocatedMemoryMiB = 0;
    expect(c.audit()).toBe("cluster: allocated memory 0 MiB, its placements hold 100 MiB");
  });
});
