import { createWriteStream, rmSync } from "node:fs";
import { Writable } from "node:stream";
import { Table as ArrowTable, Float64, Int32, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import type { RecordBatch } from "parquet-wasm";

/** A column of a table written as Parquet: whole numbers (int32), numbers (float64) or text. */
export interface ParquetColumn {
  name: string;
  type: "int" | "float" | "text";
}

const CHUNK_ROWS = 65_536;

/**
 * A Parquet table written row by row as a run produces it (apache-arrow builds each chunk of rows,
 * parquet-wasm turns it into a row group), so memory does not grow with the table and nothing is
 * parsed back from CSV. Columns are typed: whole numbers as int32, numbers as float64, text as UTF-8;
 * NaN (a value the CSV leaves empty) is null.
 */
type ParquetWasm = typeof import("parquet-wasm");

export class ParquetTable {
  private readonly columns: readonly ParquetColumn[];
  private chunk: (number | string | null)[][];
  private rows = 0;
  private batches = 0;
  private controller!: ReadableStreamDefaultController<RecordBatch>;
  private readonly done: Promise<void>;

  /**
   * Open a table for writing. parquet-wasm is loaded here, on first use, not when the package is
   * imported: commands that write no Parquet never instantiate its WebAssembly (which reserves a
   * large block of address space).
   */
  static async open(path: string, columns: readonly ParquetColumn[]): Promise<ParquetTable> {
    return new ParquetTable(path, columns, await import("parquet-wasm"));
  }

  private constructor(
    private readonly path: string,
    columns: readonly ParquetColumn[],
    private readonly wasm: ParquetWasm,
  ) {
    this.columns = columns;
    this.chunk = columns.map(() => []);
    const batches = new ReadableStream<RecordBatch>({
      start: (c) => {
        this.controller = c;
      },
    });
    this.done = (async () => {
      const parquet = await wasm.transformParquetStream(batches);
      await parquet.pipeTo(Writable.toWeb(createWriteStream(path)) as WritableStream);
    })();
    // Observed by close(); an early failure must not surface as an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** One row, values in column order (NaN for a missing number). */
  row(values: readonly (number | string)[]): void {
    for (let c = 0; c < values.length; c++) {
      const v = values[c];
      this.chunk[c].push(typeof v === "number" && Number.isNaN(v) ? null : v);
    }
    if (++this.rows === CHUNK_ROWS) this.flush();
  }

  private flush(): void {
    const vectors = Object.fromEntries(
      this.columns.map((col, c) => [
        col.name,
        vectorFromArray(
          this.chunk[c],
          col.type === "text" ? new Utf8() : col.type === "int" ? new Int32() : new Float64(),
        ),
      ]),
    );
    const table = this.wasm.Table.fromIPCStream(tableToIPC(new ArrowTable(vectors), "stream"));
    for (let i = 0; i < table.numBatches; i++) {
      const batch = table.recordBatch(i);
      if (batch) this.controller.enqueue(batch);
    }
    this.chunk = this.columns.map(() => []);
    this.rows = 0;
    this.batches++;
  }

  /** Write the last rows and finish the file (a table without rows still gets its columns). */
  async close(): Promise<void> {
    if (this.rows > 0 || this.batches === 0) this.flush();
    this.controller.close();
    try {
      await this.done;
    } catch (err) {
      rmSync(this.path, { force: true });
      throw err;
    }
  }

  /** Give up: the file is removed. */
  async abort(): Promise<void> {
    this.controller.error(new Error("aborted"));
    await this.done.catch(() => undefined);
    rmSync(this.path, { force: true });
  }
}
