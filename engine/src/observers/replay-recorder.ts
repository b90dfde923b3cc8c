import type { ReplayWriter } from "@clustersim/replay";
import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";

/** The run's events into a replay (the header is the caller's: it knows the scenario). */
export class ReplayRecorder implements RunListener {
  private readonly one = [0];

  constructor(private readonly w: ReplayWriter) {}

  arrive(t: Task, nowS: number): void {
    this.w.arrive(nowS, t.id, t.cpuMilli, t.memoryMiB, t.gpus * t.gpuMilli, t.qos === "batch");
  }
  reject(t: Task, _reason: string, nowS: number): void {
    this.w.neverStarts(nowS, t.id);
  }
  fail(t: Task, nowS: number): void {
    this.w.neverStarts(nowS, t.id);
  }
  start(t: Task, nodes: readonly number[], nowS: number): void {
    this.w.task(nowS, "s", t.id, nodes);
  }
  finish(t: Task, nodes: readonly number[], _startS: number, nowS: number): void {
    this.w.task(nowS, "f", t.id, nodes);
  }
  kill(t: Task, nodes: readonly number[], nowS: number): void {
    this.w.task(nowS, "k", t.id, nodes);
  }
  remove(t: Task, nodes: readonly number[], _startS: number, nowS: number): void {
    if (nodes.length > 0) this.w.task(nowS, "m", t.id, nodes);
    else this.w.neverStarts(nowS, t.id);
  }
  ready(t: Task, node: number, nowS: number): void {
    this.one[0] = node;
    this.w.task(nowS, "r", t.id, this.one);
  }
  resize(t: Task, node: number, _fromCpuMilli: number, nowS: number): void {
    this.w.resize(nowS, t.id, node, t.cpuMilli);
  }
  preempt(t: Task, nodes: readonly number[], nowS: number): void {
    this.w.task(nowS, "p", t.id, nodes);
  }
  nodeDown(node: number, nowS: number): void {
    this.w.node(nowS, "d", node);
  }
  nodeUp(node: number, nowS: number): void {
    this.w.node(nowS, "u", node);
  }
  nodeAdded(node: number, nowS: number): void {
    this.w.node(nowS, "+", node);
  }
  nodeRemoved(node: number, nowS: number): void {
    this.w.node(nowS, "-", node);
  }
}
