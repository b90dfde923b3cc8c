import { rmSync } from "node:fs";
import { join } from "node:path";
import type { RunSinks } from "@clustersim/engine";
import { ParquetTable } from "@clustersim/experiments";
import { commitAll, StreamingFile, stableJson, stageFiles, TEMP_SUFFIX } from "@clustersim/files";
import {
  type ScenarioSpec,
  SERVICE_COLUMNS,
  SERVICE_CSV_HEADER,
  TASK_COLUMNS,
  TASK_CSV_HEADER,
  TIMESERIES_COLUMNS,
  TIMESERIES_CSV_HEADER,
} from "@clustersim/scenarios";

/**
 * A scenario run's files in `dir`, written as the run goes under temporary names: tasks, decisions,
 * time series, services and the replay as CSV or JSON lines, with typed Parquet copies beside the CSV.
 * `commit` renames them into place together with summary.json and timing.json; `abort` removes them.
 */
export class RunOutputs {
  readonly tasks?: StreamingFile;
  readonly decisions?: StreamingFile;
  readonly replay?: StreamingFile;
  readonly hasServices: boolean;
  private readonly series: StreamingFile;
  private readonly services?: StreamingFile;
  private readonly streams: StreamingFile[];
  private readonly parquets: [ParquetTable | undefined, string, string][] = [];

  private constructor(
    private readonly dir: string,
    spec: ScenarioSpec,
  ) {
    this.tasks = spec.outputs.tasks ? new StreamingFile(dir, "tasks.csv", TASK_CSV_HEADER) : undefined;
    this.decisions = spec.outputs.decisions ? new StreamingFile(dir, "decisions.jsonl") : undefined;
    this.series = new StreamingFile(dir, "timeseries.csv", TIMESERIES_CSV_HEADER);
    this.replay = spec.outputs.replay ? new StreamingFile(dir, "replay.jsonl") : undefined;
    this.hasServices = spec.services.length > 0;
    this.services = this.hasServices ? new StreamingFile(dir, "services.csv", SERVICE_CSV_HEADER) : undefined;
    const all = [this.replay, this.tasks, this.decisions, this.series, this.services];
    this.streams = all.filter((s): s is StreamingFile => s !== undefined);
  }

  static async open(dir: string, spec: ScenarioSpec): Promise<RunOutputs> {
    const out = new RunOutputs(dir, spec);
    // Parquet copies written row by row beside the CSV (typed columns), renamed into place with the rest.
    const table = async (name: string, columns: Parameters<typeof ParquetTable.open>[1], wanted: boolean) => {
      const tmp = join(dir, `${name}${TEMP_SUFFIX}`);
      out.parquets.push([wanted ? await ParquetTable.open(tmp, columns) : undefined, tmp, join(dir, name)]);
    };
    await table("tasks.parquet", TASK_COLUMNS, out.tasks !== undefined);
    await table("timeseries.parquet", TIMESERIES_COLUMNS, true);
    await table("services.parquet", SERVICE_COLUMNS, out.hasServices);
    return out;
  }

  /** Where the run's lines and rows go. */
  sinks(): RunSinks {
    const [tasksPq, seriesPq, servicesPq] = this.parquets.map(([p]) => p);
    const { tasks, decisions, series, services, replay } = this;
    return {
      onTaskRow: tasks && ((l) => tasks.line(l)),
      onDecision: decisions && ((l) => decisions.line(l)),
      onTimeseriesRow: (l) => series.line(l),
      onTaskValues: tasksPq && ((v) => tasksPq.row(v)),
      onTimeseriesValues: (v) => seriesPq!.row(v),
      onServiceRow: services && ((l) => services.line(l)),
      onServiceValues: servicesPq && ((v) => servicesPq.row(v)),
      onReplayLine: replay && ((l) => replay.line(l)),
    };
  }

  async abort(): Promise<void> {
    for (const s of this.streams) s.abort();
    for (const [p, tmp] of this.parquets) {
      await p?.abort();
      if (p) rmSync(tmp, { force: true });
    }
  }

  /**
   * Every file of the run in one commit: summary and timing with the streamed tables. If closing,
   * staging or the commit fails (a full disk), what is not committed is removed.
   */
  async commit(summary: unknown, timing: unknown): Promise<void> {
    try {
      for (const s of this.streams) s.close();
      for (const [p] of this.parquets) await p?.close();
    } catch (err) {
      await this.abort();
      throw err;
    }
    const parquets = this.parquets.filter(([p]) => p).map(([, tmp, final]) => [tmp, final] as [string, string]);
    try {
      const staged = stageFiles(this.dir, { "summary.json": stableJson(summary), "timing.json": stableJson(timing) });
      commitAll(this.streams, [...parquets, ...staged]);
    } catch (err) {
      for (const s of this.streams) s.abort();
      for (const [tmp] of parquets) rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** The files written, for the closing line. */
  names(): string {
    const { tasks, decisions, replay, hasServices } = this;
    return `summary.json, timing.json${tasks ? ", tasks.csv, tasks.parquet" : ""}, timeseries.csv, timeseries.parquet${hasServices ? ", services.csv, services.parquet" : ""}${decisions ? ", decisions.jsonl" : ""}${replay ? ", replay.jsonl" : ""}`;
  }
}
