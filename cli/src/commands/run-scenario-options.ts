/** `clustersim run SCENARIO`'s options, as the command line gives them (strings, checked by the command). */
export interface RunScenarioOptions {
  out?: string;
  seed?: string;
  set: string[];
  quiet?: boolean;
  check?: boolean;
  pluginTimeLimit?: string;
  pluginHeapLimit?: string;
  /** Show the progress line (default: on a terminal, unless quiet). */
  progress?: boolean;
  /** Run here even with plug-ins (set in the run's own thread). */
  inThisThread?: boolean;
}
