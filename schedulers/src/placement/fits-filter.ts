import { Code, type CycleContext, type FilterPlugin } from "../framework/types.js";
import { modelAccepted } from "./gpu-resources.js";

/**
 * NodeResourcesFit plus the GPU-share filter: CPU, memory, GPUs (shares, whole GPUs, model), network,
 * virtual functions, CXL pool, taints and node selector, all as hardware-models' `fits` decides.
 * A wrong GPU model is unresolvable; the rest may change as pods leave.
 */
export const fitsFilter: FilterPlugin = {
  name: "NodeResourcesFit",
  passesOnlyWhereItFits: true,
  filter(ctx: CycleContext, node: number): Code {
    if (ctx.view.fits(node, ctx.pod)) return Code.Success;
    if ((ctx.pod.gpus ?? 0) > 0 && !modelAccepted(ctx.pod.gpuModels, ctx.view.gpuModel(node)))
      return Code.UnschedulableAndUnresolvable;
    return Code.Unschedulable;
  },
  // The same walk as filtering node by node, but skipping runs of nodes short of CPU or memory.
  filterAll: (ctx: CycleContext, start: number, want: number, out: Int32Array) =>
    ctx.view.collectFitting(ctx.pod, start, want, out),
};
