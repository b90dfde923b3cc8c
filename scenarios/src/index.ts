/**
 * @clustersim/scenarios: scenario files. The zod schema and its units, loading and validation with
 * line numbers, and the composition of a validated spec into a run (cluster, workload, hardware effects).
 */

export {
  SERVICE_COLUMNS,
  SERVICE_CSV_HEADER,
  TASK_COLUMNS,
  TASK_CSV_HEADER,
  TIMESERIES_COLUMNS,
  TIMESERIES_CSV_HEADER,
} from "@clustersim/engine";
export { type ComposedCluster, composeCluster } from "./compose/cluster.js";
export { DEFAULT_PLUGIN_TIME_LIMIT_S, PluginTimeout, PluginWatchdog } from "./compose/plugin-watchdog.js";
export { distMean } from "./compose/services.js";
export { type ControllerEntry, loadUserController } from "./compose/user-controller.js";
export { checkUserParams, loadUserStrategy } from "./compose/user-strategy.js";
export { type ComposeOptions, composeWorkload, missingFiles, workloadName } from "./compose/workload.js";
export { runScenario, type ScenarioRunOptions, type ScenarioRunResult } from "./run/scenario-run.js";
export { loadScenarioFile, loadYamlFile, SpecError, validateScenario, validateWith } from "./spec/load-spec.js";
export { SafeName, Scenario, type ScenarioSpec, scenarioJsonSchema, type WorkloadSpec } from "./spec/schema.js";
