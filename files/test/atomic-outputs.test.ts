import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitFiles, makeDirs, PROCESS_TAG, prepareOutputDir, stageFiles, TEMP_SUFFIX } from "@clustersim/files";
import { describe, expect, it } from "vitest";

/** The mark of a process that is gone: a pid above the kernel's limit (2^22), any token. */
const DEAD = "4194305.0badcafe";

describe("result files committed as one set", () => {
  it("a commit cut short by a dead process is completed at the next use of the directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-commit-"));
    writeFileSync(join(dir, "summary.json"), "old summary\n");
    writeFileSync(join(dir, "tasks.csv"), "old tasks\n");
    // The dead process had renamed summary.json already, and not yet tasks.csv, when it died.
    writeFileSync(join(dir, `tasks.csv.tmp-${DEAD}`), "new tasks\n");
    writeFileSync(join(dir, "summary.json"), "new summary\n");
    writeFileSync(
      join(dir, `.commit-${DEAD}.json`),
      JSON.stringify([
        [`summary.json.tmp-${DEAD}`, "summary.json"],
        [`tasks.csv.tmp-${DEAD}`, "tasks.csv"],
      ]),
    );
    prepareOutputDir(dir);
    expect(readFileSync(join(dir, "summary.json"), "utf8")).toBe("new summary\n");
    expect(readFileSync(join(dir, "tasks.csv"), "utf8")).toBe("new tasks\n");
    expect(readdirSync(dir).sort()).toEqual(["summary.json", "tasks.csv"]);
  });

  it("removes a dead run's uncommitted temporary files, and leaves a live one's alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-commit-"));
    writeFileSync(join(dir, `tasks.csv.tmp-${DEAD}`), "x".repeat(1000));
    writeFileSync(join(dir, `tasks.csv${TEMP_SUFFIX}`), "mine");
    // A dead process that had this process's pid (containers reuse pid 1): its files are not ours.
    const samePid = `${process.pid}.00000000`;
    writeFileSync(join(dir, `tasks.csv.tmp-${samePid}`), "old");
    expect(PROCESS_TAG).not.toBe(samePid);
    prepareOutputDir(dir);
    expect(existsSync(join(dir, `tasks.csv.tmp-${DEAD}`))).toBe(false);
    expect(existsSync(join(dir, `tasks.csv.tmp-${samePid}`))).toBe(false);
    expect(existsSync(join(dir, `tasks.csv${TEMP_SUFFIX}`))).toBe(true);
  });

  it("a commit leaves no journal and every file in place", () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-commit-"));
    commitFiles(dir, stageFiles(dir, { "a.json": "1", "runs/b.json": "2" }));
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("1");
    expect(readFileSync(join(dir, "runs", "b.json"), "utf8")).toBe("2");
    expect(readdirSync(dir).sort()).toEqual(["a.json", "runs"]);
  });
});

describe("output directories", () => {
  it("are made level by level, and one that cannot be made is an error, not a loop (Node's own loops under /proc)", () => {
    const base = mkdtempSync(join(tmpdir(), "clustersim-dirs-"));
    makeDirs(join(base, "a", "b", "c"));
    expect(existsSync(join(base, "a", "b", "c"))).toBe(true);
    makeDirs(join(base, "a", "b", "c"));
    if (existsSync("/proc/self")) {
      expect(() => prepareOutputDir("/proc/x/y")).toThrow(
        "--out /proc/x/y: expected a writable directory, found that it cannot be created or written (ENOENT)",
      );
    }
  });
});
