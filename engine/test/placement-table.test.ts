/**
 * The online loop's placement table: each running task's placement id, kept only once `idOf` is first
 * asked (asked at any moment of a run, it must answer what a map kept from the start would), and the
 * placements on each node in the order they were placed (a list threaded through the ids, against a set
 * per node, whose iteration order is its insertion order), and the lowest priority running.
 */
import type { Pod } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlacementTable } from "../src/runs/online/placement-table.js";

describe("PlacementTable", () => {
  it("knows each running task's placement id whenever first asked, and each node's placements in order", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(40)), { maxLength: 120 }), fc.nat(120), (ops, askFrom) => {
        const table = new PlacementTable();
        const tasks = Array.from({ length: 41 }, (_, i) => ({ id: i, priority: (i * 7) % 5 }) as Task);
        const reference = new Map<Task, number>();
        const onNode = [new Set<number>(), new Set<number>(), new Set<number>()];
        let nextId = 0;
        const free: number[] = [];
        ops.forEach(([place, k], step) => {
          const task = tasks[k];
          if (place && !reference.has(task)) {
            // Ids spread out, so that the table grows while lists run through it.
            const id = free.pop() ?? 97 * nextId++;
            table.add(id, task, { id: k, cpuMilli: 1, memoryMiB: 1 } as Pod, k % 3, step);
            reference.set(task, id);
            onNode[k % 3].add(id);
          } else if (!place && reference.has(task)) {
            const id = reference.get(task)!;
            expect(table.remove(id).task).toBe(task);
            reference.delete(task);
            onNode[k % 3].delete(id);
            free.push(id);
          }
          if (step >= askFrom) for (const t of tasks) expect(table.idOf(t)).toBe(reference.get(t));
          onNode.forEach((ids, node) => {
            expect(table.placedOn(node)).toEqual([...ids]);
            expect(table.idsOn(node)).toEqual([...ids].sort((a, b) => a - b));
          });
        });
        for (const t of tasks) expect(table.idOf(t)).toBe(reference.get(t));
        expect(table.live).toBe(reference.size);
      }),
      { numRuns: 200 },
    );
  });
});
