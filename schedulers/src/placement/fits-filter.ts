import { Code, type CycleContext, type FilterPlugin } from "../framework/types.js";
import { modelAccepted } from "./gpu-resources.js";

/**
 * NodeResourcesFit plus the GPU-share filter: CPU, memory, GPUs (shares, whole GPUs, model), network,
 * virtual functions, CXL pool, taints and node selector, all as hardware-models' `fits` decides.
 * A wrong GPU model is unresolvable; the rest may change as pods leave.
 */
export const fitsFilter: FilterPlugin = {
  name: "NodeResourcesFit",
  filter(ctx: CycleContext, node: number): Code {
    if (ctx.view.fits(node, ctx.pod)) return Code.Success;
    if ((ctx.pod.gpus ?? 0) > 0 && !modelAccepted(ctx.pod.gpuModels, ctx.view.gpuModel(node))) return Code.UnschedulableAndUnresolvable;
    return Code.Unschedulable;
  },
  filterAll(ctx: CycleContext, start: number, want: number, out: Int32Array): [number, number] {
    const { view, pod } = ctx;
    const n = view.nodeCount;
    let count = 0;
    let visited = 0;
    let node = start;
    for (; visited < n && count < want; visited++) {
      if (view.fits(node, pod)) out[count++] = node;
      if (++node === n) node = 0;
    }
    return [count, visited];
  },
};
