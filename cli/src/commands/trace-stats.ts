import { TraceError, traceStats, UnknownFormatError } from "@clustersim/workloads";
import { UserError } from "../errors.js";

export interface TraceStatsOptions {
  format: string;
  skipBadLines?: boolean;
}

/** `clustersim trace-stats --format FORMAT FILE`: one JSON object on stdout. */
export async function traceStatsCommand(
  file: string,
  options: TraceStatsOptions,
  print: (line: string) => void,
): Promise<void> {
  try {
    const stats = await traceStats(options.format, file, options.skipBadLines ? "skip" : "fail");
    print(JSON.stringify(stats));
  } catch (err) {
    if (err instanceof TraceError || err instanceof UnknownFormatError) throw new UserError(err.message);
    throw err;
  }
}
