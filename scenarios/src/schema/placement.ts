import { z } from "zod";

/** Taints a pod tolerates (Kubernetes semantics). */
export const Tolerations = z.array(
  z.strictObject({
    key: z.string(),
    operator: z.enum(["Equal", "Exists"]).default("Equal"),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  }),
);

/** Node labels a pod requires. */
export const NodeSelector = z.record(z.string(), z.string());
