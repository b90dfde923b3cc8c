import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { Writable } from "node:stream";
import { Table as ArrowTable, Float64, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import { parse } from "csv-parse";

/**
 * A Parquet copy of a CSV result table (readable by pandas, polars, DuckDB), converted in chunks of
 * rows: CSV → Arrow record batches → Parquet row groups (apache-arrow + parquet-wasm), so memory does
 * not grow with the table. Columns named in `text` are strings; every other column is a float64 with
 * nulls for empty cells.
 */
const CHUNK_ROWS = 65_536;

/** Write `parquetPath` (the caller renames it into place) from `csvPath`. */
export async function csvToParquet(csvPath: string, parquetPath: string, text: ReadonlySet<string>): Promise<void> {
  // Loaded on first use (see ParquetTable.open).
  const { transformParquetStream, Table: WasmTable } = await import("parquet-wasm");
  let columns: string[] | undefined;
  const records = createReadStream(csvPath)
    .pipe(parse({ columns: (header: string[]) => (columns = header), relax_column_count: false }))
    [Symbol.asyncIterator]();
  let done = false;
  let batchesSent = 0;

  async function nextChunk(): Promise<ArrowTable | undefined> {
    if (done) return undefined;
    const rows: Record<string, string>[] = [];
    while (rows.length < CHUNK_ROWS) {
      const r = await records.next();
      if (r.done) {
        done = true;
        break;
      }
      rows.push(r.value as Record<string, string>);
    }
    // A table without rows still gets its columns (one empty batch), so every reader sees the schema.
    if (rows.length === 0 && batchesSent > 0) return undefined;
    if (!columns) throw new Error(`${csvPath}: no header line`);
    batchesSent++;
    const vectors = Object.fromEntries(
      columns!.map((c) => [
        c,
        text.has(c)
          ? vectorFromArray(
              rows.map((r) => r[c]),
              new Utf8(),
            )
          : vectorFromArray(
              rows.map((r) => (r[c] === "" ? null : Number(r[c]))),
              new Float64(),
            ),
      ]),
    );
    return new ArrowTable(vectors);
  }

  const batches = new ReadableStream({
    async pull(controller) {
      const t = await nextChunk();
      if (!t) {
        controller.close();
        return;
      }
      const wasm = WasmTable.fromIPCStream(tableToIPC(t, "stream"));
      for (let i = 0; i < wasm.numBatches; i++) controller.enqueue(wasm.recordBatch(i));
    },
  });
  try {
    const parquet = await transformParquetStream(batches);
    await parquet.pipeTo(Writable.toWeb(createWriteStream(parquetPath)) as WritableStream);
  } catch (err) {
    rmSync(parquetPath, { force: true });
    throw err;
  }
}
