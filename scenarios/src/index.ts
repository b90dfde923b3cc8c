/**
 * @clustersim/scenarios: scenario files. Reading and validating them (./schema: the zod schema, units,
 * line numbers), compiling a validated scenario into the engine's run plan (./compile), loading and
 * guarding user plug-ins (./plugins), running a scenario end to end (./run: compile, then the
 * engine's assembly, then drive), and reading RL environment files against @clustersim/rl's schemas
 * (./rl-env).
 */

export {
  SERVICE_COLUMNS,
  SERVICE_CSV_HEADER,
  TASK_COLUMNS,
  TASK_CSV_HEADER,
  TIMESERIES_COLUMNS,
  TIMESERIES_CSV_HEADER,
} from "@clustersim/engine";
export { type ComposedCluster, composeCluster } from "./compile/cluster.js";
export { type CompiledScenario, type CompileOptions, compileScenario } from "./compile/compile-scenario.js";
export { distMean } from "./compile/services.js";
export { type ComposeOptions, composeWorkload, missingFiles, workloadName } from "./compile/workload.js";
export {
  DEFAULT_PLUGIN_TIME_LIMIT_S,
  PluginFailure,
  PluginTimeout,
  PluginWatchdog,
} from "./plugins/plugin-watchdog.js";
export { loadUserAutoscaler } from "./plugins/user-autoscaler.js";
export { type ControllerEntry, loadUserController } from "./plugins/user-controller.js";
export { checkUserParams, loadUserStrategy } from "./plugins/user-strategy.js";
export { isEnvConfigFile, loadPackingEnvConfig, loadQueueEnvConfig, loadRlEnvConfig } from "./rl-env/load-rl-env.js";
export { checkScenario, runScenario, type ScenarioRunOptions, type ScenarioRunResult } from "./run/run-scenario.js";
export { type FileField, fileFields, runsUserCode } from "./schema/file-fields.js";
export {
  applyOverride,
  loadScenarioFile,
  loadYamlFile,
  readScenarioData,
  SpecError,
  validateScenario,
  validateWith,
} from "./schema/load-spec.js";
export { SafeName, Scenario, type ScenarioSpec, scenarioJsonSchema, type WorkloadSpec } from "./schema/schema.js";
