import type { ScenarioSpec } from "./schema.js";
import { predictiveHistory } from "./service-schema.js";

/** A file a scenario names: where it is named, the path as written, and how the run reads it. */
export interface FileField {
  /** The field, as messages name it: `services[0].rate[1].path`. */
  field: string;
  /** As written: relative paths are relative to the scenario file's directory. */
  path: string;
  /**
   * trace: read by `format` (azure-functions: a directory, or one of its files, of up to three files);
   * plugin: a module loaded with whatever it imports; checkpoint: a trained agent (JSON); history: an
   * earlier run's services.csv (a predictive autoscaler's past).
   */
  kind: "trace" | "plugin" | "checkpoint" | "history";
  format?: string;
}

/**
 * Every file a validated scenario names, in the order of its fields. This is the one list of the
 * fields that name files: the check for missing files and a sweep's fingerprints both read it, so a
 * new field that names a file is added here, and experiments/test/scenario-files.test.ts fails until it is.
 */
export function fileFields(spec: ScenarioSpec): FileField[] {
  const out: FileField[] = [];
  spec.workloads.forEach((w, i) => {
    if (w.type === "trace") out.push({ field: `workloads[${i}].path`, path: w.path, kind: "trace", format: w.format });
  });
  spec.services.forEach((s, i) => {
    s.rate?.forEach((r, k) => {
      if (r.type === "trace")
        out.push({ field: `services[${i}].rate[${k}].path`, path: r.path, kind: "trace", format: r.format });
    });
    const history = predictiveHistory(s);
    if (history)
      out.push({ field: `services[${i}].autoscaler.predictive.history.path`, path: history.path, kind: "history" });
    if (s.autoscaler?.type === "plugin")
      out.push({ field: `services[${i}].autoscaler.plugin`, path: s.autoscaler.plugin, kind: "plugin" });
  });
  const fromTrace = spec.cluster.fromTrace;
  if (fromTrace)
    out.push({ field: "cluster.fromTrace.path", path: fromTrace.path, kind: "trace", format: fromTrace.format });
  if (spec.scheduler.plugin) out.push({ field: "scheduler.plugin", path: spec.scheduler.plugin, kind: "plugin" });
  // A trained agent (rl-kernel, rl-placement); any scheduler's string `checkpoint` is taken for one, so
  // that a strategy added later with the same parameter is covered too.
  const checkpoint = (spec.scheduler.params as { checkpoint?: unknown } | undefined)?.checkpoint;
  if (typeof checkpoint === "string")
    out.push({ field: "scheduler.params.checkpoint", path: checkpoint, kind: "checkpoint" });
  spec.controllers.forEach((c, i) => {
    out.push({ field: `controllers[${i}].plugin`, path: c.plugin, kind: "plugin" });
  });
  return out;
}

/** Whether a scenario runs user code: a strategy, controller or service autoscaler plug-in. */
export function runsUserCode(spec: ScenarioSpec): boolean {
  return fileFields(spec).some((f) => f.kind === "plugin");
}
