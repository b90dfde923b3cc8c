import { TRACE_FORMATS } from "@clustersim/workloads";

/** The trace formats, one line each, for `trace-stats --help`. */
export const FORMAT_HELP = Object.values(TRACE_FORMATS)
  .map((f) => `  ${f.name.padEnd(24)} ${f.description}`)
  .join("\n");
