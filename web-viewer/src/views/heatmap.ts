import type { NodeState, ReplayIndex } from "../model/replay-index.js";
import { ABSENT, DOWN, fixedColor, shareColor } from "./colors.js";

export type HeatmapMode = "cpu" | "usage" | "mem" | "gpu" | "pool";
/** What the cells are grouped by: node group, rack or CXL pool (where the replay has them). */
export type Grouping = "group" | "rack" | "pool";

/** A node's key under a grouping (nodes without a rack or pool go last). */
function keyOf(index: ReplayIndex, by: Grouping): (node: number) => number {
  const h = index.header;
  const list = by === "rack" ? h.racks : by === "pool" ? h.pools : undefined;
  if (!list) return (n) => h.nodes[n][0];
  return (n) => (list[n] < 0 ? Number.MAX_SAFE_INTEGER : list[n]);
}

/**
 * Every node as a square cell, grouped by node group, rack or CXL pool (then by index), coloured by
 * its allocated share of CPU, memory or GPUs. Drawn into an ImageData at one pixel per cell and scaled
 * up without smoothing, so that 10,000 nodes cost one putImageData.
 */
export class Heatmap {
  /** Cell position → node, and node → cell position. */
  readonly order: Int32Array;
  private readonly cellOf: Int32Array;
  readonly columns: number;
  readonly rows: number;
  private readonly image: ImageData;
  private readonly small: HTMLCanvasElement;
  readonly cellPx: number;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly index: ReplayIndex,
    widthPx: number,
    by: Grouping = "group",
  ) {
    const n = index.nodeCount;
    const key = keyOf(index, by);
    this.order = Int32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b));
    this.cellOf = new Int32Array(n);
    this.order.forEach((node, cell) => {
      this.cellOf[node] = cell;
    });
    this.columns = Math.max(1, Math.ceil(Math.sqrt(n * 2)));
    this.rows = Math.max(1, Math.ceil(n / this.columns));
    this.cellPx = Math.max(1, Math.floor(widthPx / this.columns));
    canvas.width = this.columns * this.cellPx;
    canvas.height = this.rows * this.cellPx;
    this.small = document.createElement("canvas");
    this.small.width = this.columns;
    this.small.height = this.rows;
    this.image = new ImageData(this.columns, this.rows);
  }

  draw(state: NodeState, mode: HeatmapMode): void {
    const { index } = this;
    const data = this.image.data;
    const nodes = index.header.nodes;
    for (let cell = 0; cell < this.order.length; cell++) {
      const node = this.order[cell];
      const o = cell * 4;
      if (!state.present[node]) fixedColor(ABSENT, data, o);
      else if (!state.up[node]) fixedColor(DOWN, data, o);
      else {
        const [, cpu, mem, gpus] = nodes[node];
        let share = 0;
        if (mode === "cpu") share = state.cpu[node] / cpu;
        else if (mode === "usage")
          share = (Number.isNaN(state.usage[node]) ? state.cpu[node] : state.usage[node]) / cpu;
        else if (mode === "mem") share = state.mem[node] / mem;
        else if (mode === "gpu") share = gpus > 0 ? state.gpu[node] / (gpus * 1000) : 0;
        else {
          // The node's CXL pool: its memory in use, a share of its capacity.
          const pool = index.header.pools?.[node] ?? -1;
          const capacity = pool >= 0 ? (index.header.poolCapacityMiB?.[pool] ?? 0) : 0;
          share = capacity > 0 ? state.poolUsed[pool] / capacity : 0;
        }
        shareColor(share, data, o);
      }
    }
    this.small.getContext("2d")!.putImageData(this.image, 0, 0);
    const ctx = this.canvas.getContext("2d")!;
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.small, 0, 0, this.canvas.width, this.canvas.height);
  }

  /** The node under a point of the canvas (CSS pixels), or -1. */
  nodeAt(x: number, y: number): number {
    const scale = this.canvas.width / this.canvas.getBoundingClientRect().width;
    const col = Math.floor((x * scale) / this.cellPx);
    const row = Math.floor((y * scale) / this.cellPx);
    const cell = row * this.columns + col;
    return col < this.columns && cell >= 0 && cell < this.order.length ? this.order[cell] : -1;
  }

  /** The centre of a node's cell in canvas pixels (for tests and highlights). */
  cellCentre(node: number): [number, number] {
    const cell = this.cellOf[node];
    return [
      (cell % this.columns) * this.cellPx + this.cellPx / 2,
      Math.floor(cell / this.columns) * this.cellPx + this.cellPx / 2,
    ];
  }
}
